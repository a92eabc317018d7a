#!/usr/bin/env node
// An independent OID4VCI 1.0 wallet (pre-authorized code flow with a PIN), played with Digital
// Bazaar's @digitalbazaar/oid4-client and a did:key made by @digitalbazaar/did-method-key from
// an @digitalbazaar/ed25519-multikey key.
//
// Usage: node oid4vci-wallet.mjs OFFER_URL TX_CODE [--ca CA.pem]
// Prints JSON {"did": ..., "credential": ...} (exit 0), or {"error": ...} (exit 1).
//
// What the library does: it fetches the offer behind the `openid-credential-offer://` URL
// (getCredentialOffer), asks the nonce endpoint (OID4Client#getNonce), signs the key proof JWT
// (signJWT, with the did:key signer) and sends the credential request with the access token
// (OID4Client#requestCredentials). Worked around here, where oid4-client 5.10 cannot (the
// server is not weakened for it):
// - discovery: its discoverIssuer wants an `issuer` member in the credential issuer metadata
//   and reads `token_endpoint` from that document instead of the authorization server's; the
//   two documents are fetched here and merged as OID4VCI 1.0 §12.2.4 / RFC 8414 describe;
// - the token request: it never sends `tx_code` ("presently ignored/not supported") and wants
//   `token_type` spelled exactly "bearer" (RFC 6749 §5.1 says case-insensitive); it is sent here;
// - the key proof: generateDIDProofJWT sets neither `typ: openid4vci-proof+jwt` nor `iat`, both
//   REQUIRED by OID4VCI 1.0 appendix F.1; the JWT is made with the library's own signJWT.
// Every URL is https (the library insists on it): the test serves the app behind TLS and
// passes its certificate with --ca.
import {readFileSync} from 'node:fs';
import https from 'node:https';
import {
  OID4Client, getCredentialOffer, signJWT
} from '@digitalbazaar/oid4-client';
import {httpClient} from '@digitalbazaar/http-client';
import * as didKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const PRE_AUTHORIZED = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

function parseArgs(argv) {
  const args = {positional: [], ca: null};
  for(let i = 0; i < argv.length; i++) {
    if(argv[i] === '--ca') {
      args.ca = argv[++i];
    } else {
      args.positional.push(argv[i]);
    }
  }
  const [offerUrl, txCode] = args.positional;
  if(!offerUrl || !txCode) {
    throw new Error('usage: oid4vci-wallet.mjs OFFER_URL TX_CODE [--ca CA.pem]');
  }
  return {offerUrl, txCode, ca: args.ca};
}

async function getJson(url, agent) {
  const response = await httpClient.get(url, {agent, headers: {accept: 'application/json'}});
  return response.data;
}

async function main() {
  const {offerUrl, txCode, ca} = parseArgs(process.argv.slice(2));
  const agent = new https.Agent(ca ? {ca: readFileSync(ca)} : {});

  // the holder: an Ed25519 key and its did:key
  const driver = didKey.driver();
  driver.use({
    multibaseMultikeyHeader: 'z6Mk',
    fromMultibase: Ed25519Multikey.from
  });
  const keyPair = await Ed25519Multikey.generate();
  const {didDocument, methodFor} = await driver.fromKeyPair({verificationKeyPair: keyPair});
  const did = didDocument.id;
  const method = methodFor({purpose: 'authentication'});
  // the key pair that made the DID signs, named by the DID document's verification method
  keyPair.id = method.id;
  keyPair.controller = did;
  const signer = keyPair.signer();

  // the offer, by reference (the library fetches it)
  const offer = await getCredentialOffer({url: offerUrl, agent});
  const issuer = offer.credential_issuer;
  const grant = offer.grants[PRE_AUTHORIZED];

  // discovery (see above)
  const issuerMeta = await getJson(`${issuer}/.well-known/openid-credential-issuer`, agent);
  const asMeta = await getJson(`${issuer}/.well-known/oauth-authorization-server`, agent);
  const issuerConfig = {...asMeta, ...issuerMeta, issuer: issuerMeta.credential_issuer};

  // the token request, with the PIN (see above)
  const body = new URLSearchParams();
  body.set('grant_type', PRE_AUTHORIZED);
  body.set('pre-authorized_code', grant['pre-authorized_code']);
  body.set('tx_code', txCode);
  const tokenResponse = await httpClient.post(asMeta.token_endpoint, {
    agent, body, headers: {accept: 'application/json'}
  });
  const {access_token: accessToken, token_type: tokenType} = tokenResponse.data;
  if(String(tokenType).toLowerCase() !== 'bearer') {
    throw new Error(`unexpected token_type ${tokenType}`);
  }

  const client = new OID4Client({accessToken, agent, issuerConfig, offer});
  const {nonce} = await client.getNonce({agent});
  const jwt = await signJWT({
    protectedHeader: {alg: 'EdDSA', typ: 'openid4vci-proof+jwt', kid: signer.id},
    payload: {aud: issuer, iat: Math.floor(Date.now() / 1000), nonce},
    signer
  });
  const [configurationId] = offer.credential_configuration_ids;
  const result = await client.requestCredentials({
    requests: [{credential_configuration_id: configurationId, proofs: {jwt: [jwt]}}],
    agent
  });
  const credential = result.credentials?.[0]?.credential ?? result.credential;
  console.log(JSON.stringify({did, credential}));
}

main().catch(error => {
  const causes = [];
  for(let e = error; e; e = e.cause) {
    causes.push(`${e.name}: ${e.message}${e.data ? ' ' + JSON.stringify(e.data) : ''}`);
  }
  console.log(JSON.stringify({error: causes.join(' <- ')}));
  process.exit(1);
});
