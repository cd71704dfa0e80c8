import { describe, expect, it } from 'vitest';
import { leansBack, widenedSpan, type SentenceSlot } from '../src/answer/widen.js';

/** Slots of the sentences of `text` (split after ". "), with the given scores. */
function slots(text: string, scores: Array<number | undefined>): SentenceSlot[] {
  const out: SentenceSlot[] = [];
  let start = 0;
  for (const m of text.matchAll(/[.!?](\s+|$)/g)) {
    const end = m.index! + 1;
    out.push({ start, end, score: scores[out.length] });
    start = end + m[1].length;
  }
  return out;
}

const quoted = (text: string, s: { start: number; end: number }) => text.slice(s.start, s.end);

describe('the first quote widened to a neighbour', () => {
  const text = 'The bridge was opened in 1932 by the city council. It cost 4 million dollars to build. Traffic on the river crossing doubled within a decade.';

  it('joins the best sentence and the strong sentence after it, as one exact span of the article', () => {
    const s = widenedSpan(text, slots(text, [1.0, 0.9, 0.1]), 0);
    expect(quoted(text, s)).toBe('The bridge was opened in 1932 by the city council. It cost 4 million dollars to build.');
  });

  it('quotes a sentence opening with a pronoun together with the one it points back to', () => {
    const s = widenedSpan(text, slots(text, [0.2, 1.0, 0.1]), 1);
    expect(quoted(text, s)).toBe('The bridge was opened in 1932 by the city council. It cost 4 million dollars to build.');
  });

  it('reads a sentence opening with a pronoun with the one before, even when the one after scores higher and all three do not fit', () => {
    const long = 'Peyton Manning became the first quarterback to lead two different teams to several Super Bowls, a record of its own. He is also the oldest quarterback ever to play in a Super Bowl, at age 39, in the game that ended his long career. The past record was held by John Elway, who led the Broncos to victory in Super Bowl XXXIII at age 38 and is currently the team executive, in charge of football operations and of the choice of its head coach for the seasons to come, a post he has held since the year his playing days were over.';
    const s = widenedSpan(long, slots(long, [0.3, 1.0, 0.9]), 1);
    expect(quoted(long, s)).toMatch(/^Peyton Manning .* He is also the oldest quarterback .*career\.$/);
  });

  it('leaves a self-contained best sentence alone when its neighbours score low', () => {
    const s = widenedSpan(text, slots(text, [0.1, 0.2, 1.0]), 2);
    expect(quoted(text, s)).toBe('Traffic on the river crossing doubled within a decade.');
  });

  it('never joins across a paragraph break', () => {
    const t = 'The bridge was opened in 1932.\nIt cost 4 million dollars.';
    const s = widenedSpan(t, [{ start: 0, end: 30, score: 0.9 }, { start: 31, end: t.length, score: 1 }], 1);
    expect(quoted(t, s)).toBe('It cost 4 million dollars.');
  });

  it('never makes the quote longer than a single sentence may be quoted', () => {
    const long = `${'A long sentence about the bridge and its many builders, '.repeat(9)}ends here. It cost 4 million dollars.`;
    const sl = slots(long, [0.9, 1]);
    expect(quoted(long, widenedSpan(long, sl, 1))).toBe('It cost 4 million dollars.');
  });

  it('joins a low-scoring neighbour that holds the name or figure asked for when the best sentence holds none', () => {
    const t = 'King Philip II ordered Pedro Menendez to attack the French at Fort Caroline. On 20 September 1565 the Spanish attacked the fort. The fort was renamed.';
    const sl = slots(t, [0.2, 1.0, 0.1]);
    expect(quoted(t, widenedSpan(t, sl, 1))).toBe('On 20 September 1565 the Spanish attacked the fort.');
    sl[0].holdsAnswer = true;
    expect(quoted(t, widenedSpan(t, sl, 1))).toBe('King Philip II ordered Pedro Menendez to attack the French at Fort Caroline. On 20 September 1565 the Spanish attacked the fort.');
  });

  it('does not join a title (an unranked sentence)', () => {
    const s = widenedSpan(text, slots(text, [undefined, 1.0, 0.1]), 1);
    expect(quoted(text, s)).toBe('It cost 4 million dollars to build.');
  });

  it('tells a leaning sentence in each language', () => {
    expect(leansBack('Он родился в Алматы в 1960 году и окончил университет.')).toBe(true);
    expect(leansBack('Ол 1960 жылы Алматыда дүниеге келген деп жазылған.')).toBe(true);
    expect(leansBack('Its population was 40,000 at the census of the year.')).toBe(true);
    expect(leansBack('Abai Kunanbayev was born in 1845 near the Chingiz mountains.')).toBe(false);
    expect(leansBack('Born in 1845.')).toBe(true);
    // A definite article before a noun the sentence before has points back to it; before a new noun it does not.
    expect(leansBack('The neighborhood lies west of the freeway and south of the river.', 'West Side is one of the oldest neighborhoods in the city.')).toBe(true);
    expect(leansBack('The bridge was opened in 1932 by the city council.', 'Traffic on the river crossing doubled within a decade.')).toBe(false);
    // "The first…", "The same…" order or compare; "The ministry…" is not the "Ministers" of the sentence before.
    expect(leansBack('The first stage will cost 18 billion tenge.', 'The first flights from the new hall will be operated by the national carrier.')).toBe(false);
    expect(leansBack('The same day the mayor resigned from the office.', 'It happened on the same evening in the city.')).toBe(false);
    expect(leansBack('The ministry said it would answer in a week.', 'Ministers met on Monday in the capital city.')).toBe(false);
  });
});

describe('both neighbours', () => {
  it('quotes three short sentences when both neighbours belong to the answer', () => {
    const t = 'The bridge was opened in 1932 by the city council. It cost 4 million dollars to build. Its steel came from three mills in the north.';
    const s = widenedSpan(t, slots(t, [0.3, 1.0, 0.8]), 1);
    expect(quoted(t, s)).toBe(t);
  });
});
