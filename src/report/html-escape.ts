const replacements: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for HTML element content and quoted attribute values. Every report string goes through this. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => replacements[character]!);
}

/**
 * A tagged template that escapes every interpolated value unless it is already trusted HTML
 * (wrapped by {@link trustedHtml}); arrays are joined. Forgetting to escape becomes impossible.
 */
export function html(strings: TemplateStringsArray, ...values: readonly unknown[]): TrustedHtml {
  let result = strings[0] ?? '';
  values.forEach((value, index) => {
    result += renderValue(value) + (strings[index + 1] ?? '');
  });
  return new TrustedHtml(result);
}

/** HTML that was built safely (by {@link html}, or rendered SVG from Vega, which escapes its own text). */
export class TrustedHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function trustedHtml(value: string): TrustedHtml {
  return new TrustedHtml(value);
}

function renderValue(value: unknown): string {
  if (value instanceof TrustedHtml) return value.value;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}
