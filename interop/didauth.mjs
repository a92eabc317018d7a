#!/usr/bin/env node
// An independent wallet for VC-API exchanges: signs a DID-authentication presentation with
// Digital Bazaar's stack, as the Learner Credential Wallet does (@digitalbazaar/vc
// signPresentation, a fresh Ed25519 did:key from @digitalbazaar/did-method-key), offline
// (./loader.mjs serves the shipped contexts; nothing is fetched).
//
// Usage:
//   echo '{"challenge": "...", "domain": "...", "suite": "Ed25519Signature2020"}' | node didauth.mjs
//
// suite: "Ed25519Signature2020" (LCW: @digitalbazaar/ed25519-signature-2020, a VC 1.1
// presentation, as LCW's @digitalcredentials/vc makes it) or "eddsa-rdfc-2022"
// (DataIntegrityProof, a VC 2.0 presentation). Optional: "holder" (a DID to name instead of
// the signing key's own, for refusal tests).
// Prints JSON {"did": <the key's did:key>, "verifiablePresentation": {...}}; exit 1 on errors.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import * as DidKey from '@digitalbazaar/did-method-key';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from
  '@digitalbazaar/ed25519-verification-key-2020';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {makeDocumentLoader} from './loader.mjs';

const SUITES = ['Ed25519Signature2020', 'eddsa-rdfc-2022'];

// A fresh key and its did:key; the key pair's id is the DID's one verification method.
async function newDidKey(suite) {
  const driver = DidKey.driver();
  driver.use({
    multibaseMultikeyHeader: 'z6Mk',
    fromMultibase: Ed25519VerificationKey2020.from
  });
  const keyPair = suite === 'Ed25519Signature2020' ?
    await Ed25519VerificationKey2020.generate() : await Ed25519Multikey.generate();
  const {didDocument} = await driver.fromKeyPair({verificationKeyPair: keyPair});
  keyPair.controller = didDocument.id;
  keyPair.id = didDocument.authentication[0];
  return {did: didDocument.id, keyPair};
}

async function main() {
  const request = JSON.parse(readFileSync(0, 'utf8'));
  const {challenge, domain, suite = 'Ed25519Signature2020'} = request;
  if(!SUITES.includes(suite)) {
    throw new Error(`suite must be one of ${SUITES.join(', ')}`);
  }
  const {did, keyPair} = await newDidKey(suite);
  const holder = request.holder ?? did;
  let signingSuite;
  let presentation;
  if(suite === 'Ed25519Signature2020') {
    signingSuite = new Ed25519Signature2020({key: keyPair});
    presentation = vc.createPresentation({holder, version: 1.0});
  } else {
    signingSuite = new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: eddsaRdfc2022CryptoSuite
    });
    presentation = vc.createPresentation({holder, version: 2.0});
  }
  const documentLoader = makeDocumentLoader();
  const verifiablePresentation = await vc.signPresentation({
    presentation, suite: signingSuite, challenge, domain, documentLoader
  });
  console.log(JSON.stringify({did, verifiablePresentation}));
}

try {
  await main();
} catch(e) {
  console.log(JSON.stringify({error: e.message}));
  process.exitCode = 1;
}
