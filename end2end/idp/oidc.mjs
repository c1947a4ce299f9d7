// A real OpenID Provider (the certified `oidc-provider`) over https on port 443 of
// localhost, for the tests: issuer https://localhost (an issuer URL has no port, as on AWS).
//   node oidc.mjs CERT_DIR
// Accounts: any login name signs in (the provider's development login page); the ID token's
// `sub` is that name. Clients: `console-app` (secret `console-secret`) and `other-app`.
// One route is the tests' own: POST /test/sign signs the posted claims with the provider's
// key, for tokens a real flow cannot produce (an expired one).
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK, SignJWT, importJWK } from 'jose';

const certDir = process.argv[2];
const issuer = 'https://localhost';
const redirects = (process.env.IDP_REDIRECT_URIS || 'https://client.example/cb').split(',');

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signing = { ...(await exportJWK(privateKey)), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'console-app',
      client_secret: 'console-secret',
      redirect_uris: redirects,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: 'other-app',
      client_secret: 'other-secret',
      redirect_uris: redirects,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [signing] },
  cookies: { keys: ['test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email'] },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: `${id}@example.com` }),
  }),
  // First-party clients: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email');
    await grant.save();
    return grant;
  },
});

const key = await importJWK(signing, 'RS256');
const callback = provider.callback();
const server = https.createServer(
  {
    key: fs.readFileSync(path.join(certDir, 'localhost.key')),
    cert: fs.readFileSync(path.join(certDir, 'localhost.pem')),
  },
  async (req, res) => {
    if (req.method === 'POST' && req.url === '/test/sign') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const claims = JSON.parse(body);
      const jwt = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: signing.kid, typ: 'JWT' })
        .sign(key);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(jwt);
      return;
    }
    callback(req, res);
  },
);
server.listen(443, '127.0.0.1', () => console.log(`oidc provider at ${issuer}`));
