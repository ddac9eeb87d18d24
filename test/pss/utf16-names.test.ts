/**
 * Windows names are UTF-16 code units and may hold lone surrogates; the store keeps a name by its
 * bytes (encodeBytes) when it is not valid Unicode. Those bytes must give back the very name.
 */
import test from 'ava';
import { decodeBytes, encodeBytes, isExactText } from '../../src/pss/index.js';

const LONE = ['\ud800', '\udbff', '\udc00', '\udc7f', '\udd00', '\udfff', '\udc80', '\udcff'];

test('a name with lone surrogates comes back from its bytes unit for unit', (t) => {
  const names = [
    ...LONE.map((s) => `C:\\pssql\\${s}.log`),
    '\ud800',
    'a\ud800\ud800b', // two lone high surrogates in a row
    '\ud800\ud801\u00e9', // a run of them before valid UTF-8
    '\udc00\ud800', // a lone low one, then a lone high one
    '\ud83d\ude00 \ud83d', // a real pair, then a lone half of one
    'pipe\\\udfff\udc41x',
  ];
  for (const name of names) {
    t.false(isExactText(name), JSON.stringify(name));
    t.is(decodeBytes(encodeBytes(name)), name, JSON.stringify(name));
  }
});

test('the bytes of Linux names still come back byte for byte, WTF-8 sequences among them', (t) => {
  const samples = [
    [0xed, 0xa0, 0x80], // a WTF-8 lone high surrogate
    [0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80], // high then low: not a pair of lone ones
    [0xed, 0xa0, 0x80, 0x80], // a high one before an invalid byte
    [0xed, 0xb2, 0x80], // the WTF-8 form of U+DC80, which stands for byte 0x80
    [0x61, 0xed, 0xbf, 0xbf, 0xff],
  ];
  for (const sample of samples) {
    const bytes = Buffer.from(sample);
    t.deepEqual(encodeBytes(decodeBytes(bytes)), bytes, bytes.toString('hex'));
  }
});
