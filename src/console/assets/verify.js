/* global TextEncoder, crypto, fetch, document, Element */
// The console's in-browser receipt check (docs/console.md). For each "verify" button: fetch the receipt
// and the ledger block it names, then with Web Crypto's SHA-256 only: recompute the leaf hash from the
// anchor fields, walk the audit path to the batch root (RFC 9162 2.1.3.2), and check the block holds that
// root and hashes to the hash the receipt names. Nothing is trusted from the page but the anchor id.
const encoder = new TextEncoder();

function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

async function sha256(...parts) {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

async function leafHash(anchor) {
  const fields = ['dmid-anchor-leaf/1', anchor.anchorId, anchor.recordType, anchor.recordHash];
  const text = [...fields, anchor.subjectCommitment, String(anchor.computedAt)].join('\n');
  return sha256(new Uint8Array([0]), encoder.encode(text));
}

async function rootOf(leaf, index, size, proof) {
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof.map(fromHex)) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(new Uint8Array([1]), p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await sha256(new Uint8Array([1]), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? hex(r) : null;
}

async function blockHash(block) {
  const text = ['dmid-block/1', block.height, block.prev, block.root, block.count, block.time].join('\n');
  return hex(await sha256(encoder.encode(text)));
}

async function check(anchorId) {
  const answer = await fetch(`/console/receipts/${encodeURIComponent(anchorId)}`, {
    credentials: 'same-origin',
  });
  if (answer.status === 404) return { ok: false, text: 'no receipt yet (batch not on the ledger)' };
  if (!answer.ok) return { ok: false, text: `receipt unavailable (${answer.status})` };
  const { receipt, block } = await answer.json();
  const leaf = await leafHash(receipt.anchor);
  if (hex(leaf) !== receipt.leafHash) return { ok: false, text: 'FAILED: leaf hash does not match' };
  const root = await rootOf(leaf, receipt.leafIndex, receipt.batch.size, receipt.proof);
  if (root !== receipt.batch.root) return { ok: false, text: 'FAILED: proof does not lead to the root' };
  if (block === null) return { ok: false, text: 'proof holds; the ledger block could not be read' };
  if (block.root !== root || block.count !== receipt.batch.size)
    return { ok: false, text: `FAILED: ledger block ${block.height} holds another root` };
  if ((await blockHash(block)) !== receipt.ledger.blockHash || block.hash !== receipt.ledger.blockHash)
    return { ok: false, text: `FAILED: ledger block ${block.height} has another hash` };
  return {
    ok: true,
    text: `verified: leaf, ${receipt.proof.length}-step proof, ledger block ${block.height}`,
  };
}

document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-verify]') : null;
  if (button === null) return;
  const out = button.parentElement.querySelector('.verify-result');
  out.textContent = 'checking…';
  check(button.getAttribute('data-verify')).then(
    (result) => {
      out.textContent = result.text;
      out.className = result.ok ? 'verify-result ok' : 'verify-result bad';
    },
    () => {
      out.textContent = 'FAILED: could not check';
      out.className = 'verify-result bad';
    },
  );
});
