import { ConfigError } from '../errors.js';

/** Flag parsers for commander: strict, and the error names the flag. */
export function integerFlag(flag: string, { min = Number.NEGATIVE_INFINITY } = {}) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) {
      throw new ConfigError(
        `${flag} must be an integer${min > Number.NEGATIVE_INFINITY ? ` >= ${min}` : ''}, got "${value}"`,
      );
    }
    return parsed;
  };
}

export function numberFlag(
  flag: string,
  { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = {},
) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      throw new ConfigError(`${flag} must be a number in [${min}, ${max}], got "${value}"`);
    }
    return parsed;
  };
}

export function choiceFlag<const T extends string>(flag: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new ConfigError(`${flag} must be one of ${choices.join(', ')}, got "${value}"`);
    }
    return value as T;
  };
}
