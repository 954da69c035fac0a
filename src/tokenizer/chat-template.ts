import { Template } from '@huggingface/jinja';
import { ModelFormatError } from '../errors.js';

/**
 * ChatML, the template medistill writes into the models it makes. node-llama-cpp and llama-server
 * recognise it, and because the same Jinja text renders training examples and inference prompts,
 * the student sees identical formatting in both.
 */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface TemplateMessage {
  role: string;
  content: string;
}

/**
 * Render messages with a Jinja chat template (the `tokenizer.chat_template` of a GGUF). A
 * template that does not parse or render is a ModelFormatError naming `file` and the key.
 */
export function renderChat(
  template: string,
  messages: readonly TemplateMessage[],
  options: { addGenerationPrompt: boolean; bosToken?: string; eosToken?: string; file?: string },
): string {
  try {
    return new Template(template).render({
      messages,
      add_generation_prompt: options.addGenerationPrompt,
      bos_token: options.bosToken ?? '',
      eos_token: options.eosToken ?? '',
    });
  } catch (error) {
    throw new ModelFormatError(
      `the chat template failed to render: ${(error as Error).message}`,
      { file: options.file ?? 'chat template', field: 'tokenizer.chat_template' },
      { cause: error },
    );
  }
}
