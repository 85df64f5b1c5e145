// "How to read this chart": what each panel, band, bar and shading of the entanglement chart says, in words, for the
// chart panel and the CLI's HTML page alike; the method's sections it links to (docs/method.md headings).

export const HOW_TO_READ: readonly string[] = [
  "Top panel: how much knocking the circuit out hurts the target task (E_T, blue, with its 95% band), against random unit sets of the same size (grey: their mean dotted, their range shaded). Each triangle is the circuit's excess over them at its lower confidence bound: above the thin dotted blue line, its specific effect persists.",
  'Middle panel: how much knocking it out changes the control task (collateral). The shaded red band is the ±margin the test allows; each thick bar is the interval the test compared — inside the band: negligible; outside: not. When the margin is tiny next to the values the axis is a symmetric log ("symlog" in its title), labelled in the data\'s own units.',
  'Bottom panel: what the degradation costs the network (its loss gap ΔL; for sgld the LLC on the right axis).',
  "Green shading: the clean window, where every test passes; t_ent is its lower end, t_surv the highest level where the circuit's effect persists. Grey shading: levels where the degraded network no longer does the task; they hold no test, and the panels are scaled to the levels that do. Hollow points: the chains did not converge there.",
  'Hover any point, bar, line or shading for its numbers and the test it decided.',
];

/** The method's sections the help links to: [link text, docs/method.md heading]. */
export const METHOD_SECTIONS: readonly (readonly [string, string])[] = [
  ['docs/method.md — the tests', 'The tests (method version 3)'],
  ['the verdict', 'The verdict'],
  ['the null', 'The null'],
];
