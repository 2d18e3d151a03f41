// chain.js: the history hash chain, recomputed in the browser with WebCrypto, exactly as the
// engine computes it (engine/base/history_chain.h) and as `slipctl audit verify` checks it over
// the served events (tools/slipctl/chain_verify.h):
//
//   hash = hex(SHA-256(prev_hash + "\n" + canonical event JSON))
//   canonical = {"actor","at" (ms since the epoch),"attempt","data","seq","step" ("" for none),
//                "type","workflow_id"}, keys sorted by their UTF-8 bytes at every level, no spaces
//
// The served history is parsed here without losing how numbers were written: the server wrote
// them with the same serialiser the chain uses (nlohmann::json), so a float like 1.0 must stay
// "1.0" (JSON.parse would make it 1, another hash).
'use strict';

(function () {
  const GENESIS = '0'.repeat(64);
  const MAX_DEPTH = 512;

  // A parsed value: strings, booleans and null as themselves; numbers {t: 'n', raw};
  // arrays {t: 'a', items}; objects {t: 'o', entries: [[key, value]], raw: source text}.
  function parseLossless(text) {
    let i = 0;
    const n = text.length;
    const number = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    function fail(what) {
      throw new Error('malformed JSON at offset ' + i + ': ' + what);
    }
    function ws() {
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
        i++;
      }
    }
    function str() {
      let j = i + 1;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 34) break;
        j += c === 92 ? 2 : 1;
      }
      if (j >= n) fail('unterminated string');
      const s = JSON.parse(text.slice(i, j + 1));
      i = j + 1;
      return s;
    }
    function literal(word, v) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
      return fail('unexpected character');
    }
    function value(depth) {
      if (depth > MAX_DEPTH) fail('nested too deep');
      ws();
      const c = text[i];
      if (c === '{') {
        const start = i++;
        const entries = [];
        ws();
        if (text[i] === '}') {
          i++;
          return { t: 'o', entries, raw: text.slice(start, i) };
        }
        for (;;) {
          ws();
          if (text[i] !== '"') fail('expected a key');
          const key = str();
          ws();
          if (text[i++] !== ':') fail("expected ':'");
          entries.push([key, value(depth + 1)]);
          ws();
          const d = text[i++];
          if (d === '}') break;
          if (d !== ',') fail("expected ',' or '}'");
        }
        return { t: 'o', entries, raw: text.slice(start, i) };
      }
      if (c === '[') {
        i++;
        const items = [];
        ws();
        if (text[i] === ']') {
          i++;
          return { t: 'a', items };
        }
        for (;;) {
          items.push(value(depth + 1));
          ws();
          const d = text[i++];
          if (d === ']') break;
          if (d !== ',') fail("expected ',' or ']'");
        }
        return { t: 'a', items };
      }
      if (c === '"') return str();
      if (c === 't') return literal('true', true);
      if (c === 'f') return literal('false', false);
      if (c === 'n') return literal('null', null);
      number.lastIndex = i;
      const m = number.exec(text);
      if (!m) fail('unexpected character');
      i += m[0].length;
      return { t: 'n', raw: m[0] };
    }
    const v = value(0);
    ws();
    if (i !== n) fail('trailing text');
    return v;
  }

  // The member of a parsed object (the last one, as nlohmann keeps it), or undefined.
  function member(obj, key) {
    if (!obj || obj.t !== 'o') return undefined;
    let found;
    for (const [k, v] of obj.entries) if (k === key) found = v;
    return found;
  }

  // Compares by Unicode code points, which is the order of their UTF-8 bytes (std::map's).
  function compareKeys(a, b) {
    const x = Array.from(a);
    const y = Array.from(b);
    for (let k = 0; k < Math.min(x.length, y.length); k++) {
      const d = x[k].codePointAt(0) - y[k].codePointAt(0);
      if (d !== 0) return d;
    }
    return x.length - y.length;
  }

  function canonical(v) {
    if (v === null) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'string') return JSON.stringify(v);
    if (v.t === 'n') return v.raw;
    if (v.t === 'a') return '[' + v.items.map(canonical).join(',') + ']';
    const last = new Map();
    for (const [k, val] of v.entries) last.set(k, val);
    const keys = Array.from(last.keys()).sort(compareKeys);
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(last.get(k))).join(',') + '}';
  }

  function integer(v, field) {
    if (!v || v.t !== 'n' || !/^-?[0-9]+$/.test(v.raw)) throw new Error(field + ' is not an integer');
    return v.raw.replace(/^(-?)0+(?=[0-9])/, '$1');
  }

  function text(v, field) {
    if (typeof v !== 'string') throw new Error(field + ' is not a string');
    return v;
  }

  // The chained text of one served event (a parsed object), for the workflow id asked for.
  function chainedText(workflowId, event) {
    if (!event || event.t !== 'o') throw new Error('not an object');
    const at = Date.parse(text(member(event, 'at'), 'at'));
    if (!Number.isFinite(at)) throw new Error('at is not an RFC 3339 time');
    const step = member(event, 'step');
    if (step !== null && step !== undefined && typeof step !== 'string') {
      throw new Error('step is neither a string nor null');
    }
    const data = member(event, 'data');
    return '{"actor":' + JSON.stringify(text(member(event, 'actor'), 'actor')) +
      ',"at":' + String(at) +
      ',"attempt":' + integer(member(event, 'attempt'), 'attempt') +
      ',"data":' + (data === undefined ? '{}' : canonical(data)) +
      ',"seq":' + integer(member(event, 'seq'), 'seq') +
      ',"step":' + JSON.stringify(typeof step === 'string' ? step : '') +
      ',"type":' + JSON.stringify(text(member(event, 'type'), 'type')) +
      ',"workflow_id":' + JSON.stringify(workflowId) + '}';
  }

  async function sha256Hex(s) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function short(h) {
    return String(h).slice(0, 16) + '…';
  }

  // Verifies parsed events (oldest first) against each other and against the head the
  // workflow records ({last_seq, last_hash}; may be null). Resolves to
  //   {ok, verified (events that passed), head ("SEQ:HASH"), broken_at (seq or null), reason,
  //    results: [{seq, ok, reason}] per event checked}
  async function verifyChain(workflowId, events, anchor) {
    if (!(window.crypto && crypto.subtle)) {
      throw new Error('WebCrypto is not available here (it needs https:// or a loopback address)');
    }
    const results = [];
    let prev = GENESIS;
    let expected = 1;
    const broken = (seq, reason) => ({
      ok: false, verified: expected - 1, head: (expected - 1) + ':' + prev, broken_at: seq, reason, results,
    });
    for (const event of events) {
      let seq;
      let computed;
      let stored;
      try {
        seq = Number(integer(member(event, 'seq'), 'seq'));
        const body = chainedText(workflowId, event);
        const prevHash = member(event, 'prev_hash');
        stored = member(event, 'hash');
        if (seq !== expected) {
          const reason = 'the event served next is seq ' + seq + ' (an event is missing or out of order)';
          results.push({ seq, ok: false, reason });
          return broken(expected, reason);
        }
        if (prevHash !== prev) {
          const reason = 'prev_hash ' + short(prevHash) + ' is not the hash of the event before (' + short(prev) + ')';
          results.push({ seq, ok: false, reason });
          return broken(seq, reason);
        }
        computed = await sha256Hex(prev + '\n' + body);
      } catch (e) {
        const reason = 'malformed event (' + e.message + ')';
        results.push({ seq: seq === undefined ? expected : seq, ok: false, reason });
        return broken(expected, reason);
      }
      if (computed !== stored) {
        const reason = "hash does not match the event's content (stored " + short(stored) + ', recomputed ' + short(computed) + ')';
        results.push({ seq, ok: false, reason });
        return broken(seq, reason);
      }
      if (anchor && anchor.last_seq === seq && anchor.last_hash !== stored) {
        const reason = 'hash ' + short(stored) + ' is not the head the workflow records ' + short(anchor.last_hash) + ' (the history was rewritten)';
        results.push({ seq, ok: false, reason });
        return broken(seq, reason);
      }
      results.push({ seq, ok: true, reason: '' });
      prev = stored;
      expected++;
    }
    if (anchor && anchor.last_seq > expected - 1) {
      return broken(expected, 'the history ends at seq ' + (expected - 1) + ', before the head the workflow records at seq ' +
        anchor.last_seq + ' (events were removed)');
    }
    return { ok: true, verified: expected - 1, head: (expected - 1) + ':' + prev, broken_at: null, reason: '', results };
  }

  window.SlipwayChain = Object.freeze({ parseLossless, member, canonical, chainedText, sha256Hex, verifyChain });
})();
