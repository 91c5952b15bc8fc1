//! The QR code Evolution shows while an instance waits to be paired: a real PNG of a
//! Baileys-like `2@…` payload, as `data:image/png;base64,…`, and an 8-character pairing code.

use base64::Engine;
use qrcodegen::{QrCode, QrCodeEcc};
use rand::Rng;
use rand::rngs::StdRng;

/// Pixels per QR module.
const SCALE: usize = 6;
/// Quiet zone around the code, in modules.
const BORDER: usize = 4;

/// One QR as Evolution reports it (`{pairingCode, code, base64, count}`).
#[derive(Clone, Debug)]
pub struct Qr {
    /// The payload the phone scans (`2@…,…,1`).
    pub code: String,
    /// `data:image/png;base64,…` of the payload.
    pub base64: String,
    /// The code typed on the phone instead of scanning.
    pub pairing_code: String,
}

/// A fresh QR drawn from `rng`.
pub fn generate(rng: &mut StdRng) -> Qr {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut token = |n: usize| -> String {
        (0..n)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    };
    let code = format!(
        "2@{},{}=,{}=,{}=,1",
        token(32),
        token(43),
        token(43),
        token(43)
    );
    let pairing_code = token(8);
    Qr {
        base64: format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png_of(&code))
        ),
        code,
        pairing_code,
    }
}

/// A black-on-white grayscale PNG of `text` as a QR code.
fn png_of(text: &str) -> Vec<u8> {
    // A payload of a few hundred characters always fits a version-40 code.
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).expect("the QR payload fits");
    let modules = qr.size() as usize;
    let side = (modules + 2 * BORDER) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (x / SCALE, y / SCALE);
            let dark = mx >= BORDER
                && my >= BORDER
                && qr.get_module((mx - BORDER) as i32, (my - BORDER) as i32);
            if dark {
                pixels[y * side + x] = 0;
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("PNG header into memory");
    writer
        .write_image_data(&pixels)
        .expect("PNG data into memory");
    writer.finish().expect("PNG end into memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_qr_is_a_png_data_url_and_a_pairing_code() {
        let qr = generate(&mut StdRng::seed_from_u64(1));
        assert!(qr.code.starts_with("2@"));
        assert_eq!(qr.pairing_code.len(), 8);
        let b64 = qr.base64.strip_prefix("data:image/png;base64,").unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
