/**
 * Definition questions ("Что такое X?", "What is X?", "X дегеніміз не?"): the answer is a sentence, not a
 * phrase, so no candidate is offered; a sentence that defines ("X — это…", "X is a…", "X деп…") ranks higher.
 */
const DEFINES = /(\s[—–-]\s|\sэто\s|\sявляется\s|\sназывают|\sназывается|\s(is|are|was|were)\s(a|an|the)\s|\srefers\sto\s|\smeans\s|\sдеп\s|\sдегеніміз\s|\sдеп\sаталады|\sболып\sтабылады)/iu;

export function definesSomething(sentence: string): boolean {
  return DEFINES.test(sentence);
}
