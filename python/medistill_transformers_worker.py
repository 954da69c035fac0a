#!/usr/bin/env python3
"""medistill's transformers + peft training worker.

The TypeScript `transformers` engine writes a job file and runs this script (directly, or under
torchrun / accelerate for several GPUs and machines). It trains a LoRA adapter or the full model
with the standard Trainer, with the loss on assistant turns only (found through the model's own
chat template), for text models and image-text models (Qwen2-VL, Qwen2.5-VL, Qwen3-VL).

Protocol: one JSON object per line on stdout, from rank 0 only; anything else on stdout is
ignored by the engine. Events: packages, ready, progress, epoch, checkpoint, done, error.

`--check NAME...` only looks the packages up (no imports) and prints one `packages` event, so a
machine without them gets one message naming all of them, in well under a second.
"""

import argparse
import base64
import importlib.util
import io
import json
import math
import os
import random
import shutil
import sys
import time

# pip names of the modules the worker imports, by purpose.
PACKAGES = {
    "torch": "torch",
    "transformers": "transformers",
    "accelerate": "accelerate",
    "safetensors": "safetensors",
    "jinja2": "jinja2",
    "peft": "peft",
    "PIL": "pillow",
    "deepspeed": "deepspeed",
}


def is_main_process():
    return int(os.environ.get("RANK", "0")) == 0


def emit(event, **fields):
    if not is_main_process():
        return
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


class InputProblem(Exception):
    """Bad training data or a model the worker cannot train: reported with file, line and field."""

    def __init__(self, message, file=None, line=None, field=None, kind="input"):
        super().__init__(message)
        self.file, self.line, self.field, self.kind = file, line, field, kind


def check_packages(modules):
    missing = [PACKAGES.get(name, name) for name in modules if importlib.util.find_spec(name) is None]
    versions = {}
    if not missing:
        from importlib import metadata

        for name in modules:
            try:
                versions[PACKAGES.get(name, name)] = metadata.version(PACKAGES.get(name, name))
            except metadata.PackageNotFoundError:
                pass
    emit("packages", missing=missing, versions=versions)


# ---------------------------------------------------------------------------------------------
# Data: OpenAI-style chat JSONL, images as data URLs or paths next to the data file.


def load_examples(path):
    examples = []
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                raise InputProblem(f"not JSON: {error.msg}", path, number)
            messages = value.get("messages") if isinstance(value, dict) else None
            if not isinstance(messages, list) or len(messages) < 2:
                raise InputProblem("expected at least two messages", path, number, "messages")
            for index, message in enumerate(messages):
                role = message.get("role") if isinstance(message, dict) else None
                if role not in ("system", "user", "assistant"):
                    raise InputProblem("role must be system, user or assistant", path, number, f"messages.{index}.role")
                if not isinstance(message.get("content"), (str, list)):
                    raise InputProblem("content must be text or a list of parts", path, number, f"messages.{index}.content")
            if not any(message["role"] == "assistant" for message in messages):
                raise InputProblem("no assistant turn to learn from", path, number, "messages")
            examples.append((number, messages))
    if not examples:
        raise InputProblem("no training examples", path)
    return examples


def open_image(url, data_dir, where):
    from PIL import Image

    try:
        if url.startswith("data:"):
            payload = url.split(",", 1)[1]
            return Image.open(io.BytesIO(base64.b64decode(payload))).convert("RGB")
        path = url[len("file://"):] if url.startswith("file://") else url
        return Image.open(os.path.join(data_dir, path)).convert("RGB")
    except Exception as error:  # noqa: BLE001 - any decoding failure is the same input error
        raise InputProblem(f"cannot read the image: {error}", *where)


def template_messages(messages, data_dir, path, line, vision):
    """Messages in the form chat templates take, and the images in order of appearance."""
    converted, images = [], []
    for index, message in enumerate(messages):
        content = message["content"]
        if isinstance(content, str):
            converted.append({"role": message["role"], "content": [{"type": "text", "text": content}] if vision else content})
            continue
        parts = []
        for part_index, part in enumerate(content):
            kind = part.get("type") if isinstance(part, dict) else None
            field = f"messages.{index}.content.{part_index}"
            if kind == "text":
                parts.append({"type": "text", "text": part.get("text", "")})
            elif kind == "image_url":
                if not vision:
                    raise InputProblem("an image part, but the student is a text model", path, line, field)
                url = (part.get("image_url") or {}).get("url")
                if not url:
                    raise InputProblem("image_url.url is missing", path, line, field)
                images.append(open_image(url, data_dir, (path, line, field)))
                parts.append({"type": "image"})
            else:
                raise InputProblem("a part must be text or image_url", path, line, field)
        converted.append({"role": message["role"], "content": parts if vision else "".join(p.get("text", "") for p in parts)})
    return converted, images


class Encoder:
    """Chat examples to token ids with labels on assistant turns only, through the model's template."""

    def __init__(self, tokenizer, processor, max_length):
        self.tokenizer, self.processor, self.max_length = tokenizer, processor, max_length
        self.owner = processor if processor is not None else tokenizer
        if getattr(self.owner, "chat_template", None) is None and getattr(tokenizer, "chat_template", None) is None:
            raise InputProblem("the student has no chat template (tokenizer_config.json chat_template)", kind="config")
        self.image_token = getattr(processor, "image_token", "<|image_pad|>") if processor is not None else None

    def render(self, messages, generation_prompt):
        return self.owner.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)

    def spans(self, messages, path, line):
        """(start, end, trained) character spans of the rendered conversation."""
        full = self.render(messages, False)
        spans, cursor = [], 0
        for index, message in enumerate(messages):
            if message["role"] != "assistant":
                continue
            prefix = self.render(messages[:index], True)
            through = self.render(messages[: index + 1], False)
            if not (through.startswith(prefix) and full.startswith(through) and len(prefix) >= cursor):
                raise InputProblem(
                    "the chat template renders earlier turns differently once later ones follow, so the "
                    "assistant turns cannot be found for an answer-only loss",
                    path,
                    line,
                    f"messages.{index}",
                    kind="config",
                )
            if len(prefix) > cursor:
                spans.append((cursor, len(prefix), False))
            spans.append((len(prefix), len(through), True))
            cursor = len(through)
        if cursor < len(full):
            spans.append((cursor, len(full), False))
        return full, spans

    def encode(self, messages, images, path, line):
        full, spans = self.spans(messages, path, line)
        input_ids, labels, pixel_values, grids = [], [], [], []
        image_cursor = 0
        for start, end, trained in spans:
            text = full[start:end]
            if self.processor is not None:
                count = text.count("<|vision_start|>") if "<|vision_start|>" in text else text.count(self.image_token)
                segment_images = images[image_cursor : image_cursor + count]
                image_cursor += count
                encoded = self.processor(text=[text], images=segment_images or None, return_tensors="pt")
                ids = encoded["input_ids"][0].tolist()
                if "pixel_values" in encoded:
                    pixel_values.append(encoded["pixel_values"])
                    grids.append(encoded["image_grid_thw"])
            else:
                ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
            input_ids.extend(ids)
            labels.extend(ids if trained else [-100] * len(ids))
        if len(input_ids) > self.max_length:
            raise InputProblem(
                f"{len(input_ids)} tokens, longer than the {self.max_length} allowed (maxLength / cutoffLength); "
                "examples are not cut silently",
                path,
                line,
                "messages",
            )
        example = {"input_ids": input_ids, "labels": labels}
        if pixel_values:
            import torch

            example["pixel_values"] = torch.cat(pixel_values)
            example["image_grid_thw"] = torch.cat(grids)
        return example


class Collator:
    """Pads a batch (labels with -100); images of the batch go in one tensor, as Qwen2-VL takes them."""

    def __init__(self, pad_id):
        self.pad_id = pad_id

    def __call__(self, batch):
        import torch

        width = max(len(example["input_ids"]) for example in batch)
        ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, example in enumerate(batch):
            length = len(example["input_ids"])
            ids[row, :length] = torch.tensor(example["input_ids"])
            labels[row, :length] = torch.tensor(example["labels"])
            mask[row, :length] = 1
        result = {"input_ids": ids, "labels": labels, "attention_mask": mask}
        with_images = [example for example in batch if "pixel_values" in example]
        if with_images:
            result["pixel_values"] = torch.cat([example["pixel_values"] for example in with_images])
            result["image_grid_thw"] = torch.cat([example["image_grid_thw"] for example in with_images])
        return result


# ---------------------------------------------------------------------------------------------
# Model


def is_vision_module(name):
    return any(part in ("visual", "vision_tower", "vision_model", "vision") for part in name.split("."))


def lora_targets(model, setting):
    import torch

    if setting != "all-linear":
        return setting
    names = [
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and not is_vision_module(name) and not name.endswith("lm_head")
    ]
    if not names:
        raise InputProblem("the student has no linear layers for LoRA", kind="config")
    return names


def load_model(job, settings, vision, dtype):
    import transformers

    options = {"torch_dtype": dtype}
    if settings.get("attention"):
        options["attn_implementation"] = settings["attention"]
    if vision:
        auto = getattr(transformers, "AutoModelForImageTextToText", None) or transformers.AutoModelForVision2Seq
        return auto.from_pretrained(job["baseModel"], **options)
    return transformers.AutoModelForCausalLM.from_pretrained(job["baseModel"], **options)


def latest_checkpoint(folder):
    best = None
    if not os.path.isdir(folder):
        return None
    for name in os.listdir(folder):
        if name.startswith("checkpoint-") and name[len("checkpoint-"):].isdigit():
            if os.path.exists(os.path.join(folder, name, "trainer_state.json")):
                step = int(name[len("checkpoint-"):])
                if best is None or step > best[0]:
                    best = (step, os.path.join(folder, name))
    return best[1] if best else None


def train(job):
    import torch
    import transformers
    from transformers import Trainer, TrainerCallback, TrainingArguments

    settings, hyper = job["settings"], job["hyperparameters"]
    transformers.logging.set_verbosity_error()
    transformers.set_seed(hyper["seed"])
    config = transformers.AutoConfig.from_pretrained(job["baseModel"])
    vision = getattr(config, "vision_config", None) is not None
    lora = hyper.get("loraRank") is not None
    cuda = torch.cuda.is_available()
    precision = settings["precision"]
    if precision == "auto":
        precision = "bf16" if cuda and torch.cuda.is_bf16_supported() else "fp32"
    if precision in ("bf16", "fp16") and not cuda:
        raise InputProblem(f"precision {precision} needs a GPU; this machine has none (use precision: fp32)", kind="config")
    # Full training keeps f32 master weights (the Trainer's mixed precision); LoRA may load the frozen base in bf16.
    dtype = torch.bfloat16 if (lora and precision == "bf16") else torch.float32

    tokenizer = transformers.AutoTokenizer.from_pretrained(job["baseModel"])
    processor = transformers.AutoProcessor.from_pretrained(job["baseModel"]) if vision else None
    max_length = hyper.get("maxLength") or settings["cutoffLength"]
    encoder = Encoder(tokenizer, processor, max_length)
    data_dir = os.path.dirname(os.path.abspath(job["dataPath"]))
    encoded = []
    for line, messages in load_examples(job["dataPath"]):
        converted, images = template_messages(messages, data_dir, job["dataPath"], line, vision)
        encoded.append(encoder.encode(converted, images, job["dataPath"], line))
    order = list(range(len(encoded)))
    random.Random(hyper["seed"]).shuffle(order)
    held = int(round(len(order) * hyper["validationSplit"])) if len(order) > 1 else 0
    held = min(held, len(order) - 1)
    validation = [encoded[i] for i in order[:held]]
    training = [encoded[i] for i in order[held:]]

    model = load_model(job, settings, vision, dtype)
    if settings["gradientCheckpointing"]:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()
    if lora and job.get("initialAdapter"):
        # Continue an earlier adapter (MedThink's stage 2 after a LoRA stage 1): its weights are
        # the starting point, trained further; the engine checked its rank and alpha.
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, job["initialAdapter"], is_trainable=True)
    elif lora:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(
            model,
            LoraConfig(
                r=hyper["loraRank"],
                lora_alpha=hyper.get("loraAlpha") or 2 * hyper["loraRank"],
                lora_dropout=settings["loraDropout"],
                target_modules=lora_targets(model, settings["loraTarget"]),
                task_type="CAUSAL_LM",
            ),
        )
    elif vision and settings["freezeVisionTower"]:
        for name, parameter in model.named_parameters():
            if is_vision_module(name):
                parameter.requires_grad_(False)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    accumulation = settings["gradientAccumulationSteps"]
    steps_per_epoch = max(1, math.ceil(math.ceil(len(training) / (hyper["batchSize"] * world)) / accumulation))
    total_steps = steps_per_epoch * hyper["epochs"]
    patience = hyper.get("earlyStoppingPatience")
    early = patience is not None and bool(validation)
    if early and settings.get("saveSteps"):
        raise InputProblem("early stopping keeps one checkpoint per epoch; remove saveSteps or earlyStoppingPatience", kind="config")
    arguments = {
        "output_dir": job["checkpointDir"],
        "num_train_epochs": hyper["epochs"],
        "learning_rate": hyper["learningRate"],
        "per_device_train_batch_size": hyper["batchSize"],
        "per_device_eval_batch_size": hyper["batchSize"],
        "gradient_accumulation_steps": accumulation,
        "warmup_ratio": hyper["warmupRatio"],
        "weight_decay": hyper["weightDecay"],
        "max_grad_norm": hyper["gradientClipNorm"],
        "lr_scheduler_type": settings["learningRateScheduler"],
        "logging_steps": settings["loggingSteps"],
        "logging_first_step": True,
        "save_strategy": "steps" if settings.get("saveSteps") else "epoch",
        "eval_strategy": "epoch" if validation else "no",
        "seed": hyper["seed"],
        "bf16": precision == "bf16" and not lora,
        "fp16": precision == "fp16",
        "report_to": [],
        "disable_tqdm": True,
        "remove_unused_columns": False,
        "dataloader_num_workers": 0,
        "use_cpu": not cuda,
        "load_best_model_at_end": early,
        "metric_for_best_model": "eval_loss",
        "greater_is_better": False,
        "save_only_model": False,
        "include_num_input_tokens_seen": True,
    }
    if settings.get("saveSteps"):
        arguments["save_steps"] = settings["saveSteps"]
    if settings.get("deepspeed"):
        arguments["deepspeed"] = settings["deepspeed"]
    arguments.update(settings.get("extraArguments") or {})
    args = TrainingArguments(**arguments)
    collator = Collator(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0))

    started = time.time()
    state = {"last_loss": None, "tokens": 0, "at": started, "saved": set()}

    class JsonLines(TrainerCallback):
        def on_log(self, args, trainer_state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                # Tokens the model took in (padding included), as the Trainer counts them.
                now, seen = time.time(), trainer_state.num_input_tokens_seen
                speed = (seen - state["tokens"]) / max(1e-9, now - state["at"])
                state.update(tokens=seen, at=now, last_loss=logs["loss"])
                emit(
                    "progress",
                    epoch=trainer_state.epoch or 0.0,
                    step=trainer_state.global_step,
                    total_steps=trainer_state.max_steps or total_steps,
                    loss=logs["loss"],
                    learning_rate=logs.get("learning_rate"),
                    tokens_per_second=speed,
                )

        def on_epoch_end(self, args, trainer_state, control, **kwargs):
            if not validation:
                emit("epoch", epoch=round(trainer_state.epoch or 0), step=trainer_state.global_step,
                     total_steps=trainer_state.max_steps or total_steps, train_loss=state["last_loss"])

        def on_evaluate(self, args, trainer_state, control, metrics=None, **kwargs):
            if metrics and "eval_loss" in metrics and trainer_state.global_step > 0:
                emit("epoch", epoch=round(trainer_state.epoch or 0), step=trainer_state.global_step,
                     total_steps=trainer_state.max_steps or total_steps, train_loss=state["last_loss"],
                     validation_loss=metrics["eval_loss"])

        def on_save(self, args, trainer_state, control, **kwargs):
            if trainer_state.global_step in state["saved"]:
                return
            state["saved"].add(trainer_state.global_step)
            emit("checkpoint", step=trainer_state.global_step,
                 path=os.path.join(args.output_dir, f"checkpoint-{trainer_state.global_step}"))

    callbacks = [JsonLines()]
    if early:
        callbacks.append(transformers.EarlyStoppingCallback(early_stopping_patience=patience))
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=training,
        eval_dataset=validation or None,
        data_collator=collator,
        callbacks=callbacks,
    )
    trainer.remove_callback(transformers.trainer_callback.PrinterCallback)
    resume = latest_checkpoint(job["checkpointDir"]) if job.get("resume") else None
    emit("ready", total_steps=total_steps, epochs=hyper["epochs"], train_examples=len(training),
         validation_examples=len(validation), resumed_from=resume, device="cuda" if cuda else "cpu")
    if validation and resume is None:
        baseline = trainer.evaluate()
        emit("epoch", epoch=0, step=0, total_steps=total_steps, validation_loss=baseline["eval_loss"])
    trainer.train(resume_from_checkpoint=resume)

    output = os.path.abspath(job["outputPath"])
    temporary = f"{output}.tmp-{os.getpid()}"
    trainer.save_model(temporary)
    if is_main_process():
        if not lora:
            (processor or tokenizer).save_pretrained(temporary)
            tokenizer.save_pretrained(temporary)
        shutil.rmtree(output, ignore_errors=True)
        os.rename(temporary, output)
    best = trainer.state.best_metric if early else None
    emit("done", output=output, adapter=lora, best_validation_loss=best,
         stopped_early=bool(early and trainer.state.global_step < trainer.state.max_steps))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", nargs="+", metavar="MODULE")
    parser.add_argument("--job")
    arguments = parser.parse_args()
    if arguments.check:
        check_packages(arguments.check)
        return 0
    with open(arguments.job, encoding="utf-8") as handle:
        job = json.load(handle)
    try:
        train(job)
    except InputProblem as problem:
        fields = {key: value for key, value in (("file", problem.file), ("line", problem.line), ("field", problem.field)) if value is not None}
        emit("error", kind=problem.kind, message=str(problem), **fields)
        return 2
    except Exception as error:  # noqa: BLE001 - reported to the engine, then the traceback to stderr
        emit("error", kind="training", message=f"{type(error).__name__}: {error}")
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
