// How often a chain measures its MALA acceptance (docs/method.md): each measurement is a second pass of the step
// graph at the proposal on the step's own minibatch, so chains measure about every 16th step (at kept draws), and
// the step-size pilots every step.
export const MALA_STEPS = 16;
