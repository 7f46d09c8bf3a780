//! Arbitrary samples, lengths and channel counts through every direct kernel and fast node.
//!
//! Byte 0 picks the kernel, byte 1 the channel count (1–8, or the refused 0 and 65) and a
//! parameter; the rest are the samples as raw little-endian bit patterns, so NaN payloads,
//! ±inf, subnormals and values up to f32::MAX all occur, with any length (ragged ones too).
//! A kernel may return `Ok` or any `Err`; a panic or an abort is a finding. This is the input
//! the Python bindings hand over after their own type and layout checks.
#![no_main]

use audiobench_core::direct::b64;
use audiobench_core::direct::convert::{self, Conversion};
use audiobench_core::direct::pipeline::Pipeline;
use audiobench_core::direct::resample::{output_frames, Preset, Resampler};
use audiobench_core::direct::vad::{self, VadParams};
use audiobench_core::fast::nodes::{convert_node, FastResampleNode, FastVadNode};
use audiobench_core::fast::pipeline::FastPipeline;
use audiobench_core::fast::processor::AudioProcessor;
use audiobench_core::fast::{AudioBuffer, AudioData, FastAudioNode};
use audiobench_core::limit;
use libfuzzer_sys::fuzz_target;

/// Longest clip tried (per input), so one run stays in the millisecond range.
const MAX_SAMPLES: usize = 1 << 15;

fn samples(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).take(MAX_SAMPLES).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

fn ints(bytes: &[u8]) -> Vec<i16> {
    bytes.chunks_exact(2).take(MAX_SAMPLES).map(|b| i16::from_le_bytes([b[0], b[1]])).collect()
}

fn channels(byte: u8) -> usize {
    match byte % 10 {
        8 => 0,
        9 => 65,
        n => n as usize + 1,
    }
}

fn sample_rate(byte: u8) -> u32 {
    [44_100, 16_000, 8_000, 17, 16, 1, 0, 4_000_000_000][(byte / 10 % 8) as usize]
}

fuzz_target!(|data: &[u8]| {
    let [kernel, param, rest @ ..] = data else { return };
    let ch = channels(*param);
    match kernel % 12 {
        0 => {
            let x = samples(rest);
            let _ = convert::f32_to_i16(&x);
            let _ = convert::f32_to_i32(&x);
            let mut short = vec![0i16; x.len() / 2];
            let _ = convert::f32_to_i16_into(&x, &mut short);
        }
        1 => {
            let x = ints(rest);
            let _ = convert::i16_to_f32(&x);
            let _ = convert::i16_to_i32(&x);
        }
        2 => {
            let x = samples(rest);
            if let Ok(params) = VadParams::new(sample_rate(*param), (*param as f32) / 255.0) {
                let _ = vad::vad(&x, ch, &params);
                let count = params.frame_count(x.len() / ch.max(1));
                let (mut e, mut f) = (vec![0f32; count], vec![false; count]);
                let _ = vad::vad_into(&x, ch, &params, &mut e, &mut f);
            }
        }
        3..=5 => {
            let x = samples(rest);
            let preset = Preset::ALL[(*kernel % 12 - 3) as usize];
            if let Ok(mut r) = Resampler::new(preset, ch) {
                let _ = r.process(&x);
                let mut out = vec![0f32; output_frames(x.len() / ch.max(1)) * ch];
                let _ = r.process_into(&x, &mut out);
            }
        }
        6 => {
            let x = samples(rest);
            if let Ok(mut p) = Pipeline::new(ch, VadParams::default()) {
                let _ = p.process(&x);
                let mut out = vec![0i16; output_frames(x.len() / ch.max(1)) * ch];
                let _ = p.resample_convert_stage(&x, &mut out);
            }
        }
        7 => {
            let x = samples(rest);
            let data = AudioData::new(AudioBuffer::new_f32(x), 44_100, ch);
            let _ = convert_node(Conversion::F32I32).process_audio(data.clone());
            if let Ok(mut n) = FastVadNode::new(VadParams::default()) {
                let _ = n.process_audio(data.clone());
            }
            if let Ok(mut n) = FastResampleNode::new(Preset::High, ch.max(1)) {
                let _ = n.process_audio(data.clone());
            }
            if let Ok(mut p) = FastPipeline::new(ch.max(1), VadParams::default()) {
                let _ = p.process(data);
            }
        }
        8 => {
            // A stream: chunks split at every 0x00 byte, owners from the chunk's first byte.
            let chunks: Vec<&[u8]> = rest.split(|&b| b == 0).collect();
            let calls = ["a", "b", "c"];
            let owners: Vec<u32> = chunks.iter().map(|c| c.first().map_or(0, |&b| (b % 4) as u32)).collect();
            let mut bufs = [vec![0u8; *param as usize], vec![0u8; 64], vec![0u8; 0]];
            let mut outs: Vec<&mut [u8]> = bufs.iter_mut().map(Vec::as_mut_slice).collect();
            let mut lens = [0usize; 3];
            let _ = b64::decode_stream_into(&chunks, &owners, &calls, &mut outs, &mut lens);
        }
        9 => {
            let processor = AudioProcessor::new(*param as usize);
            for chunk in rest.split(|&b| b == 0) {
                let _ = processor.add_chunk(if chunk.len() % 2 == 0 { "a" } else { "b" }, chunk);
            }
            let _ = processor.take("a");
            let _ = processor.take("b");
        }
        10 => {
            let mut dst = vec![0u8; rest.len() / 2 * 2];
            let _ = limit::memcpy(rest, &mut dst);
            let _ = limit::read(rest);
        }
        _ => {
            let _ = b64::decoded_len(rest);
            let mut out = vec![0u8; *param as usize];
            let _ = b64::decode_into(rest, &mut out);
            let _ = b64::describe_invalid(rest);
        }
    }
});
