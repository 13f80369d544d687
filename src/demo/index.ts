export { generatePeople, parseDay, formatDay, type Person, type GenerateOptions } from './people.js';
export { toCsv, PERSON_COLUMNS } from './csv.js';
export { mutate, activePeople, type MutateOptions, type Mutation } from './mutate.js';
export { foldAscii } from './ascii.js';
export { seededRandom, type Random } from './random.js';
export { DEPARTMENTS, LOCATIONS, type Department } from './organisation.js';
