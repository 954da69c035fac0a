import type { Item } from '../datasets/item.js';

/** One piece of an item's text, named as a report shows it (`question`, `options.B`, `context.2`). */
export interface TextField {
  field: string;
  text: string;
}

/** Every free-text field of an item that a model may be shown or that the run stores. */
export function itemTextFields(item: Item): TextField[] {
  const fields: TextField[] = [{ field: 'question', text: item.question }];
  if (item.kind === 'multiple-choice') {
    for (const option of item.options) fields.push({ field: `options.${option.key}`, text: option.text });
  }
  if (item.kind === 'open-ended') fields.push({ field: 'referenceAnswer', text: item.referenceAnswer });
  if (item.kind === 'yes-no-maybe') {
    item.context.forEach((text, index) => {
      fields.push({ field: `context.${index}`, text });
    });
    if (item.longAnswer) fields.push({ field: 'longAnswer', text: item.longAnswer });
  }
  if (item.explanation) fields.push({ field: 'explanation', text: item.explanation });
  if (item.caption) fields.push({ field: 'caption', text: item.caption });
  return fields;
}

/** The item with each named field's text replaced (fields as itemTextFields names them). */
export function withFieldTexts(item: Item, replace: (field: string, text: string) => string): Item {
  const base = {
    ...item,
    question: replace('question', item.question),
    ...(item.explanation ? { explanation: replace('explanation', item.explanation) } : {}),
    ...(item.caption ? { caption: replace('caption', item.caption) } : {}),
  };
  switch (base.kind) {
    case 'multiple-choice':
      return {
        ...base,
        options: base.options.map((option) => ({
          ...option,
          text: replace(`options.${option.key}`, option.text),
        })),
      };
    case 'open-ended':
      return { ...base, referenceAnswer: replace('referenceAnswer', base.referenceAnswer) };
    case 'yes-no-maybe':
      return {
        ...base,
        context: base.context.map((text, index) => replace(`context.${index}`, text)),
        ...(base.longAnswer ? { longAnswer: replace('longAnswer', base.longAnswer) } : {}),
      };
  }
}
