// Offline JSON-LD document loader for the Digital Bazaar stack.
//
// Serves only: the contexts shipped in ../schemas/contexts (via index.json, sha256-checked),
// did:key DIDs / verification methods (derived locally from the key itself), and any extra
// documents given by URL (e.g. a did:web DID document or a status list credential).
// Every other URL is refused; nothing is ever fetched from the network.
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CONTEXTS_DIR = path.resolve(HERE, '..', 'schemas', 'contexts');

const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

export function loadContexts(contextsDir = CONTEXTS_DIR) {
  const index = JSON.parse(readFileSync(path.join(contextsDir, 'index.json'), 'utf8'));
  const documents = new Map();
  for(const [url, {file, sha256}] of Object.entries(index)) {
    const raw = readFileSync(path.join(contextsDir, file));
    const digest = createHash('sha256').update(raw).digest('hex');
    if(digest !== sha256) {
      throw new Error(`checksum mismatch for ${file} (${url}): ${digest}`);
    }
    documents.set(url, JSON.parse(raw.toString('utf8')));
  }
  return documents;
}

function didKeyDocuments(didUrl) {
  const [did, fragment] = didUrl.split('#');
  const multibase = did.slice('did:key:'.length);
  if(!/^z6Mk[1-9A-HJ-NP-Za-km-z]+$/.test(multibase)) {
    throw new Error(`Unsupported did:key (only Ed25519 z6Mk… keys): ${didUrl}`);
  }
  if(fragment !== undefined && fragment !== multibase) {
    throw new Error(`did:key fragment does not match the key: ${didUrl}`);
  }
  const vmId = `${did}#${multibase}`;
  const verificationMethod = {
    id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: multibase
  };
  const didDocument = {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: [verificationMethod],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityInvocation: [vmId],
    capabilityDelegation: [vmId]
  };
  return {did, didDocument, verificationMethod};
}

// Return the node with `id` inside a DID document (a verification method), with @context.
function fragmentOf(document, url) {
  const nodes = [
    ...(document.verificationMethod || []),
    ...['assertionMethod', 'authentication'].flatMap(
      rel => (document[rel] || []).filter(entry => typeof entry === 'object'))
  ];
  const node = nodes.find(entry => entry.id === url ||
    (entry.id?.startsWith('#') && `${document.id}${entry.id}` === url));
  if(!node) {
    return null;
  }
  return {'@context': document['@context'], ...node};
}

export function makeDocumentLoader({contexts = loadContexts(), extra = {}} = {}) {
  const documents = new Map(contexts);
  for(const [url, document] of Object.entries(extra)) {
    documents.set(url, document);
  }
  const remote = (url, document) => ({contextUrl: null, documentUrl: url, document});
  return async function documentLoader(url) {
    if(documents.has(url)) {
      return remote(url, structuredClone(documents.get(url)));
    }
    if(url.startsWith('did:key:')) {
      const {didDocument, verificationMethod} = didKeyDocuments(url);
      if(url.includes('#')) {
        return remote(url, {'@context': MULTIKEY_CONTEXT, ...verificationMethod});
      }
      return remote(url, didDocument);
    }
    const [base, fragment] = url.split('#');
    if(fragment !== undefined && documents.has(base)) {
      const node = fragmentOf(documents.get(base), url);
      if(node) {
        return remote(url, structuredClone(node));
      }
    }
    throw new Error(`Document not available offline (network disabled): ${url}`);
  };
}
