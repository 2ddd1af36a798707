/**
 * How many SMS segments a text costs (3GPP TS 23.038). A text that fits the GSM 03.38 alphabet is
 * sent as 7-bit: 160 septets in one segment, 153 per segment when split (the UDH takes 7), and the
 * extension characters (`{ } [ ] ~ \ | ^ €` and form feed) cost two septets each. One character
 * outside it (an emoji, a curly quote, most accents) switches the whole text to UCS-2: 70 UTF-16
 * code units, 67 per segment when split. Splits never cut an escape sequence or a surrogate pair.
 */
import { invalid } from './validate.js';

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set([...GSM_BASIC].filter((c) => c !== '\u001b'));
const extension = new Set([...GSM_EXTENSION]);

/** What a text costs as SMS, from `smsSegments`. */
export interface SmsSegments {
  /** `GSM-7` when every character is in the GSM 03.38 alphabet, else `UCS-2`. */
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  /** Messages the carrier bills: 1 up to the single-segment limit (160 GSM-7, 70 UCS-2), then one per 153 / 67 units. */
  segments: number;
  /** Units left in the last segment before another one is needed. */
  remaining: number;
  /** Characters that forced UCS-2 (deduplicated, first 10), to show an editor what to replace. */
  nonGsmCharacters: string[];
}

/**
 * How many SMS segments `text` costs and why (3GPP TS 23.038): GSM-7 or UCS-2, the units used,
 * what is left in the last segment, and the characters that forced UCS-2.
 *
 * @example
 * smsSegments('Booked: yoga at 10:00').segments; // 1 (GSM-7, 21 of 160 septets)
 * smsSegments('Booked ✅').encoding; // 'UCS-2': one emoji switches the whole text
 * smsSegments('x'.repeat(161)).segments; // 2 (153 + 8)
 */
export function smsSegments(text: string): SmsSegments {
  if (typeof text !== 'string') throw invalid('text', 'smsSegments: text must be a string');
  const nonGsm: string[] = [];
  let septets = 0;
  for (const ch of text) {
    if (basic.has(ch)) septets += 1;
    else if (extension.has(ch)) septets += 2;
    else if (!nonGsm.includes(ch) && nonGsm.length < 10) nonGsm.push(ch);
  }
  if (nonGsm.length === 0) {
    const segments =
      septets <= 160
        ? 1
        : countSegments(
            [...text].map((c) => (extension.has(c) ? 2 : 1)),
            153,
          );
    return {
      encoding: 'GSM-7',
      units: septets,
      segments,
      remaining: remainder(
        septets,
        segments,
        160,
        153,
        [...text].map((c) => (extension.has(c) ? 2 : 1)),
      ),
      nonGsmCharacters: [],
    };
  }
  const sizes = [...text].map((c) => c.length); // a code point outside the BMP is a surrogate pair: 2 units, never split
  const units = sizes.reduce((a, b) => a + b, 0);
  const segments = units <= 70 ? 1 : countSegments(sizes, 67);
  return { encoding: 'UCS-2', units, segments, remaining: remainder(units, segments, 70, 67, sizes), nonGsmCharacters: nonGsm };
}

/** Greedy packing of indivisible characters into segments of `size` units. */
function countSegments(sizes: number[], size: number): number {
  let segments = 1;
  let used = 0;
  for (const s of sizes) {
    if (used + s > size) {
      segments++;
      used = 0;
    }
    used += s;
  }
  return segments;
}

function remainder(units: number, segments: number, single: number, multi: number, sizes: number[]): number {
  if (segments === 1) return single - units;
  let used = 0;
  for (const s of sizes) {
    if (used + s > multi) used = 0;
    used += s;
  }
  return multi - used;
}
