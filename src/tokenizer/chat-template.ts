import { Template } from '@huggingface/jinja';

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

/** Render messages with a Jinja chat template (the `tokenizer.chat_template` of a GGUF). */
export function renderChat(
  template: string,
  messages: readonly TemplateMessage[],
  options: { addGenerationPrompt: boolean; bosToken?: string; eosToken?: string },
): string {
  return new Template(template).render({
    messages,
    add_generation_prompt: options.addGenerationPrompt,
    bos_token: options.bosToken ?? '',
    eos_token: options.eosToken ?? '',
  });
}
