/** Bootstrap intervals must be reproducible from the seed written in the report. */
export { seededRandom as createSeededRandom } from '../../util/seeded-random.js';
