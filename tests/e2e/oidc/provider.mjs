// An OpenID Connect provider on loopback for mande's end-to-end sign-in test.
// node-oidc-provider (https://github.com/panva/node-oidc-provider), with its development
// sign-in form: any account name listed in OIDC_USERS signs in (the password is not checked).
//
// Environment: OIDC_PORT (listens on 127.0.0.1), OIDC_REDIRECT_URI (the dashboard's
// /oauth2callback), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_USERS (JSON: account -> claims,
// e.g. {"viewer": {"email": "v@mission.example", "email_verified": true}}).
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const users = JSON.parse(process.env.OIDC_USERS || '{}');

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    post_logout_redirect_uris: [process.env.OIDC_REDIRECT_URI.replace('/oauth2callback', '/')],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // the claims of the requested scopes go into the ID token, which is what the dashboard reads
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  cookies: { keys: ['mande-e2e-only-not-a-secret'] },
  async findAccount(ctx, id) {
    const claims = users[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, name: id, ...claims }; } };
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
