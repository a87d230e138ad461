/**
 * One of zxcvbn's word lists, answering "which rank does this word have?" from one string and
 * two typed arrays. zxcvbn-ts keeps each list as an object from word to rank; for the ~236,000
 * words of the common and English lists that is ~20 MB of heap (the objects' hash tables plus a
 * string per word), here ~5 MB, mostly outside the heap.
 *
 * Rank is the word's 1-based position in the list, as zxcvbn counts it (a word listed twice
 * keeps its later position, as zxcvbn's object does).
 */
export class RankedWordList {
  /** The words, each followed by '\n' (no word contains one). */
  private readonly text: string;
  /** starts[k] is where word k begins in `text`; starts[count] is text.length. */
  private readonly starts: Uint32Array;
  /** Open addressing: a word's hash picks a slot, holding its rank, or 0 for empty. */
  private readonly slots: Uint32Array;
  private readonly mask: number;
  /** The longest word's length, which zxcvbn uses to skip longer substrings. */
  readonly maxLength: number;

  constructor(words: readonly string[]) {
    this.text = words.join('\n') + '\n';
    this.starts = new Uint32Array(words.length + 1);
    let size = 2;
    while (size < words.length * 2) size *= 2;
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
    let maxLength = 0;
    for (let index = 0; index < words.length; index++) {
      this.starts[index + 1] = this.starts[index] + words[index].length + 1;
      maxLength = Math.max(maxLength, words[index].length);
      this.slots[this.slotOf(words[index])] = index + 1;
    }
    this.maxLength = maxLength;
  }

  /** The word's rank, or undefined when the list does not hold it. */
  rank(word: string): number | undefined {
    const rank = this.slots[this.slotOf(word)];
    return rank === 0 ? undefined : rank;
  }

  has(word: string): boolean {
    return this.rank(word) !== undefined;
  }

  /**
   * The list in the shape zxcvbn's dictionary matcher reads: `dictionary[word]` is the rank.
   * That matcher only ever reads single words; it never enumerates a list (only its optional
   * Levenshtein search does, which the scorer here leaves off).
   */
  asRankedDictionary(): Record<string, number> {
    return new Proxy({} as Record<string, number>, {
      get: (_target, key) => (typeof key === 'string' ? this.rank(key) : undefined),
    });
  }

  /** The slot that holds `word`, or the empty slot where it would go (linear probing). */
  private slotOf(word: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193);
    let slot = hash & this.mask;
    while (this.slots[slot] !== 0 && !this.holds(this.slots[slot], word)) slot = (slot + 1) & this.mask;
    return slot;
  }

  private holds(rank: number, word: string): boolean {
    const start = this.starts[rank - 1];
    if (this.starts[rank] - start - 1 !== word.length) return false;
    for (let i = 0; i < word.length; i++) {
      if (this.text.charCodeAt(start + i) !== word.charCodeAt(i)) return false;
    }
    return true;
  }
}
