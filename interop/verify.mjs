#!/usr/bin/env node
// Independent verifier: Digital Bazaar's @digitalbazaar/vc + DataIntegrityProof(eddsa-rdfc-2022),
// with an offline document loader (./loader.mjs). No network access.
//
// Usage:
//   node verify.mjs [credential.json|-] [--documents extra.json] [--now ISO] [--repeat N]
//                   [--proof-only] [--no-status]
//
// Prints JSON {"verified": bool, "error": string|null} and exits 0 when verified, 1 otherwise
// (2 on usage errors). --documents: a JSON object {url: document} served in addition to the
// shipped contexts (did:web DID documents, status list credentials…). --repeat N: verifies the
// same credential N times in this process and adds "timings_ms" (one per run) to the output,
// so that Node's start-up is excluded from benchmarks. --proof-only: check only the Data
// Integrity proof (jsonld-signatures with AssertionProofPurpose), skipping the VC checks and
// the "issuer must be the key controller" rule; used for the W3C test vector, whose issuer is
// not the key controller. Every credentialStatus entry is checked with
// @digitalbazaar/vc-bitstring-status-list (the status list credentials must be among the
// --documents; their proofs and issuers are verified too); --no-status skips that.
import {readFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';
import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {makeDocumentLoader} from './loader.mjs';

function parseArgs(argv) {
  const args = {file: '-', documents: null, now: undefined, repeat: 0, proofOnly: false};
  for(let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if(arg === '--documents') {
      args.documents = argv[++i];
    } else if(arg === '--now') {
      args.now = argv[++i];
    } else if(arg === '--repeat') {
      args.repeat = Number.parseInt(argv[++i], 10);
      if(!(args.repeat > 0)) {
        throw new Error('--repeat needs a positive integer');
      }
    } else if(arg === '--proof-only') {
      args.proofOnly = true;
    } else if(arg === '--check-status') {
      args.checkStatus = true; // the default; kept for clarity in scripts
    } else if(arg === '--no-status') {
      args.noStatus = true;
    } else if(arg.startsWith('--')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      args.file = arg;
    }
  }
  return args;
}

function errorMessage(result) {
  const errors = [];
  const collect = error => {
    if(!error) {
      return;
    }
    if(Array.isArray(error)) {
      error.forEach(collect);
    } else if(error.errors) {
      collect(error.errors);
    } else {
      const cause = error.details?.cause || error.cause;
      const message = error.message || String(error);
      errors.push(cause?.message ? `${message} (cause: ${cause.message})` : message);
    }
  };
  collect(result.error);
  for(const r of result.results || []) {
    if(!r.verified) {
      collect(r.error);
    }
  }
  if(result.statusResult && !result.statusResult.verified) {
    collect(result.statusResult.error || new Error('status check failed'));
  }
  return errors.length ? [...new Set(errors)].join('; ') : null;
}

export async function verify(
  credential, {documentLoader, now, checkStatus, proofOnly = false} = {}) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  if(proofOnly) {
    const purpose = new jsigs.purposes.AssertionProofPurpose();
    const result = await jsigs.verify(credential, {suite, purpose, documentLoader});
    return {
      verified: Boolean(result.verified),
      error: result.verified ? null : errorMessage(result)
    };
  }
  const options = {credential, suite, documentLoader};
  if(now) {
    options.now = now;
  }
  if(checkStatus) {
    options.checkStatus = checkStatus;
  }
  const result = await vc.verifyCredential(options);
  return {verified: Boolean(result.verified), error: result.verified ? null : errorMessage(result)};
}

// The library reports each entry's bit as `status` and leaves the verdict to the relying
// party: a set revocation or suspension bit means the credential must not be accepted.
async function statusChecker(options) {
  const result = await checkBitstringStatus({
    ...options, verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true
  });
  if(!result.verified) {
    return result;
  }
  const flagged = (result.results || []).filter(r => r.status === true);
  if(flagged.length) {
    const words = flagged.map(r => r.credentialStatus.statusPurpose === 'revocation' ?
      'revoked' : r.credentialStatus.statusPurpose === 'suspension' ? 'suspended' :
        `flagged (${r.credentialStatus.statusPurpose})`);
    return {...result, verified: false, error: new Error(`credential is ${words.join(' and ')}`)};
  }
  return result;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch(e) {
    console.log(JSON.stringify({verified: false, error: `usage: ${e.message}`}));
    return 2;
  }
  let credential;
  try {
    const text = readFileSync(args.file === '-' ? 0 : args.file, 'utf8');
    credential = JSON.parse(text);
  } catch(e) {
    console.log(JSON.stringify({verified: false, error: `cannot read credential: ${e.message}`}));
    return 1;
  }
  const extra = args.documents ? JSON.parse(readFileSync(args.documents, 'utf8')) : {};
  const documentLoader = makeDocumentLoader({extra});
  // A credential with credentialStatus is always status-checked (its lists must be among the
  // --documents); --no-status skips that, e.g. to time the proof alone.
  const checkStatus = args.noStatus ? undefined : statusChecker;
  let output;
  if(args.repeat) {
    const timings = [];
    let result;
    for(let i = 0; i < args.repeat; i++) {
      const start = performance.now();
      result = await verify(
        credential, {documentLoader, now: args.now, proofOnly: args.proofOnly, checkStatus});
      timings.push(performance.now() - start);
    }
    output = {...result, timings_ms: timings};
  } else {
    output = await verify(
      credential, {documentLoader, now: args.now, proofOnly: args.proofOnly, checkStatus});
  }
  console.log(JSON.stringify(output));
  return output.verified ? 0 : 1;
}

process.exitCode = await main();
