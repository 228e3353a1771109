"""Synthetic LTX-2.3 weights for the GPU check, built from ComfyUI's own model
classes with random initialisation (test-only; nothing here is a real model).

Usage: python3 make_weights.py COMFYUI_DIR OUT_DIR KIND [KIND...]
KIND: checkpoint, distilled_lora, ic_lora, upscaler, gemma, moge.
Each KIND is written to OUT_DIR/KIND.safetensors with OUT_DIR/KIND.sha256
(the sha256 is taken while writing, so nothing reads the files twice).
Keys and the "config" metadata are the ones ComfyUI's detection reads.
"""
import hashlib
import io
import json
import os
import struct
import sys
import time

import torch

DEV = "cuda"
BF16 = torch.bfloat16
DT_NAMES = {torch.bfloat16: "BF16", torch.float16: "F16", torch.float32: "F32", torch.uint8: "U8", torch.int64: "I64"}

# LTX-2.3 transformer options (ltx-core names, read by ComfyUI's LTXAVModel);
# full width, two blocks instead of 48.
TRANSFORMER = {
    "num_layers": 2, "attention_head_dim": 128, "num_attention_heads": 32, "cross_attention_dim": 4096,
    "audio_attention_head_dim": 64, "audio_num_attention_heads": 32, "audio_cross_attention_dim": 2048,
    "caption_channels": 3840, "apply_gated_attention": True, "cross_attention_adaln": True,
    "caption_proj_before_connector": True, "caption_projection_first_linear": False,
    "connector_apply_gated_attention": True, "connector_num_attention_heads": 32, "connector_attention_head_dim": 128,
    "audio_connector_num_attention_heads": 32, "audio_connector_attention_head_dim": 64, "connector_num_layers": 2,
    "rope_type": "split", "frequencies_precision": "float64", "use_middle_indices_grid": True,
}
UPSCALER = {"_class_name": "LatentUpsampler", "in_channels": 128, "mid_channels": 1024, "num_blocks_per_stage": 4,
            "dims": 3, "spatial_upsample": True, "temporal_upsample": False, "spatial_scale": 2.0, "rational_resampler": False}
IC_LORA_DOWNSCALE = "2"  # the union-control "ref0.5" LoRA takes its reference at half size


def write_safetensors(path, tensors, metadata):
    """Streams tensors (name -> tensor, any device) into a .safetensors file and
    returns its sha256."""
    header, offset = {}, 0
    for name, t in tensors.items():
        n = t.numel() * t.element_size()
        header[name] = {"dtype": DT_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    header["__metadata__"] = {k: v if isinstance(v, str) else json.dumps(v) for k, v in metadata.items()}
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)
    h = hashlib.sha256()
    tmp = path + ".partial"
    with open(tmp, "wb", buffering=0) as f:
        for chunk in (struct.pack("<Q", len(hb)), hb):
            h.update(chunk)
            f.write(chunk)
        for t in tensors.values():
            b = t.detach().contiguous().reshape(-1).view(torch.uint8).cpu().numpy()
            mv = memoryview(b)
            for i in range(0, len(mv), 1 << 28):
                h.update(mv[i:i + (1 << 28)])
                f.write(mv[i:i + (1 << 28)])
    os.replace(tmp, path)
    digest = h.hexdigest()
    with open(path[:-len(".safetensors")] + ".sha256", "w") as f:
        f.write(digest + "\n")
    return digest


def randomise(module, std=0.02, dtype=BF16):
    """Fills every parameter (ComfyUI's layers start uninitialised) with small
    random values; buffers keep what the class computed."""
    module.to(device=DEV)
    with torch.no_grad():
        for p in module.parameters():
            p.data = torch.randn(p.shape, device=DEV, dtype=torch.float32).mul_(std).to(dtype)
    return module


def state(module, prefix="", dtype=BF16):
    out = {}
    for k, v in module.state_dict().items():
        if v.is_floating_point():
            v = v.to(dtype)
        out[prefix + k] = v
    return out


_transformer = []


def transformer_and_config():
    """The 2-block LTX-2.3 AV transformer, built once (the checkpoint and the
    LoRAs share it)."""
    if not _transformer:
        import comfy.ops
        from comfy.ldm.lightricks.av_model import LTXAVModel
        m = LTXAVModel(**TRANSFORMER, dtype=BF16, device=DEV, operations=comfy.ops.manual_cast)
        _transformer.append(randomise(m))
    return _transformer[0]


def checkpoint(out):
    import comfy.ops
    from comfy.ldm.lightricks.vae.causal_video_autoencoder import VideoVAE
    from comfy.ldm.lightricks.vae.causal_audio_autoencoder import CausalAudioAutoencoder
    from comfy.ldm.lightricks.vae.audio_vae import AudioVAE
    from comfy.text_encoders.lt import DualLinearProjection

    vae_cfg = VideoVAE.get_default_config(None, 2)
    audio_cfg = CausalAudioAutoencoder.get_default_config(None)
    config = {"transformer": TRANSFORMER, "vae": vae_cfg, "audio_vae": audio_cfg, "vocoder": {}}
    tensors = state(transformer_and_config(), "model.diffusion_model.")
    tensors.update(state(randomise(VideoVAE(version=2, config=vae_cfg)), "vae."))
    audio = randomise(AudioVAE(metadata={"config": json.dumps(config)}))
    for k, v in state(audio).items():
        if k.startswith("autoencoder."):
            tensors["audio_vae." + k[len("autoencoder."):]] = v
        elif k.startswith("vocoder."):
            tensors[k] = v
    proj = randomise(DualLinearProjection(3840 * 49, 4096, 2048, dtype=BF16, device=DEV, operations=comfy.ops.manual_cast))
    tensors.update(state(proj, "text_embedding_projection."))
    return write_safetensors(out, tensors, {"config": config, "gpucheck": "synthetic LTX-2.3 AV checkpoint, 2 blocks"})


def lora(out, metadata, rank=16):
    model = transformer_and_config()
    tensors = {}
    for name, mod in model.named_modules():
        w = getattr(mod, "weight", None)
        if not name.startswith("transformer_blocks.") or w is None or w.dim() != 2:
            continue
        base = "diffusion_model." + name
        tensors[base + ".lora_A.weight"] = torch.randn(rank, w.shape[1], device=DEV, dtype=BF16) * 0.01
        tensors[base + ".lora_B.weight"] = torch.randn(w.shape[0], rank, device=DEV, dtype=BF16) * 0.01
    return write_safetensors(out, tensors, metadata)


def upscaler(out):
    from comfy.ldm.lightricks.latent_upsampler import LatentUpsampler
    m = LatentUpsampler.from_config(UPSCALER).to(DEV)
    return write_safetensors(out, state(m), {"config": UPSCALER})


def spiece_model(vocab=8000):
    """A small SentencePiece model trained here, with Gemma's special ids."""
    import random
    import sentencepiece as spm
    rnd = random.Random(7)
    words = ["video", "camera", "light", "slow", "motion", "city", "night", "portrait", "speaks", "music", "sea",
             "forest", "dolly", "crane", "static", "shot", "cinematic", "warm", "cold", "wind", "rain", "smile"]
    lines = [" ".join(rnd.choice(words) + rnd.choice(["", "s", "ing", "ed", "ly"]) for _ in range(12)) for _ in range(20000)]
    lines += ["".join(chr(rnd.randrange(33, 0x250)) for _ in range(40)) for _ in range(4000)]
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=buf, vocab_size=vocab,
                                   pad_id=0, eos_id=1, bos_id=2, unk_id=3, character_coverage=1.0, hard_vocab_limit=False,
                                   user_defined_symbols=["<start_of_turn>", "<end_of_turn>"], minloglevel=2)
    return buf.getvalue()


def gemma(out):
    import comfy.ops
    from comfy.text_encoders.llama import Gemma3_12B
    sp = spiece_model()
    import sentencepiece as spm
    vocab = spm.SentencePieceProcessor(model_proto=sp).get_piece_size()
    m = Gemma3_12B({}, BF16, DEV, comfy.ops.manual_cast)
    randomise(m)
    with torch.no_grad():
        # Tied output embedding: ids past the small tokenizer's vocabulary get
        # zero logits, ids inside it ±30 along one direction, so whatever the
        # hidden state, sampling (a prompt enhancer) picks ids it can decode.
        for name, p in m.named_parameters():
            if name.endswith("embed_tokens.weight"):
                p.data[vocab:] = 0
                sign = torch.ones(vocab, device=DEV, dtype=BF16)
                sign[1::2] = -1
                p.data[:vocab, 0] = 30 * sign
    tensors = state(m)
    tensors["spiece_model"] = torch.frombuffer(bytearray(sp), dtype=torch.uint8)
    del m
    return write_safetensors(out, tensors, {"gpucheck": "synthetic Gemma 3 12B (random), vocab %d" % vocab})


def moge(out):
    import comfy.ops
    from comfy.ldm.moge.model import MoGeModelV2, _detect_dinov2
    hidden, depth = 384, 12
    backbone = {"hidden_size": hidden, "num_attention_heads": hidden // 64, "num_hidden_layers": depth,
                "layer_norm_eps": 1e-6, "use_swiglu_ffn": False}
    dims = [256, 128, 64, 32, 32]

    def stack(dim_in, dim_out):
        return {"dim_in": dim_in, "dim_res_blocks": dims, "dim_out": dim_out, "num_res_blocks": [1] * 5,
                "resamplers": ["conv_transpose"] * 4, "res_block_in_norm": "layer_norm", "res_block_hidden_norm": "group_norm"}

    cfg = {
        "encoder": {"backbone": backbone, "intermediate_layers": [(depth // 4) * (i + 1) - 1 for i in range(4)], "dim_out": 256},
        "neck": stack([256 + 2, 2, 2, 2, 2], dims),
        "points_head": stack(dims, [None, None, None, None, 3]),
        "mask_head": stack(dims, [None, None, None, None, 1]),
        "normal_head": stack(dims, [None, None, None, None, 3]),
        "scale_head": {"dims": [hidden, 128, 1]},
    }
    m = randomise(MoGeModelV2(**cfg, dtype=torch.float16, device=DEV, operations=comfy.ops.manual_cast), dtype=torch.float16)
    assert _detect_dinov2(m.state_dict(), "encoder.backbone.")["num_hidden_layers"] == depth
    return write_safetensors(out, state(m, dtype=torch.float16), {"gpucheck": "synthetic MoGe-2 (ViT-S size), random"})


MAKERS = {
    "checkpoint": checkpoint,
    "distilled_lora": lambda out: lora(out, {"gpucheck": "synthetic distilled LoRA"}),
    "ic_lora": lambda out: lora(out, {"reference_downscale_factor": IC_LORA_DOWNSCALE, "gpucheck": "synthetic IC-LoRA"}),
    "upscaler": upscaler,
    "gemma": gemma,
    "moge": moge,
}


def main():
    comfy_dir, out_dir, kinds = sys.argv[1], sys.argv[2], sys.argv[3:]
    sys.path.insert(0, comfy_dir)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import launch_comfyui  # the same stand-ins ComfyUI runs with (comfy.ops imports comfy_aimdo)
    sys.meta_path.append(launch_comfyui._StubFinder())
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    for kind in kinds:
        t0 = time.time()
        digest = MAKERS[kind](os.path.join(out_dir, kind + ".safetensors"))
        size = os.path.getsize(os.path.join(out_dir, kind + ".safetensors"))
        print("weights %-15s %7.2f GB  sha256 %s  %.1fs" % (kind, size / 1e9, digest[:12], time.time() - t0), flush=True)
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
