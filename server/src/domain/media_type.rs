//! What an uploaded file is, read from its content (magic bytes), never from its name or the
//! type the browser declared, and how large each kind may be (WhatsApp's limits).

/// The kinds of media a campaign sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    /// JPEG, PNG or WebP photo.
    Image,
    /// MP4 video.
    Video,
    /// OGG/Opus, MP3 or M4A audio (sent as a voice note).
    Audio,
    /// PDF or office file.
    Document,
}

impl MediaKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [Self::Image, Self::Video, Self::Audio, Self::Document];

    /// The stored and wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The largest file of this kind, in bytes: 5 MB photos, 16 MB videos and audio, 100 MB
    /// documents.
    pub fn max_bytes(self) -> u64 {
        const MB: u64 = 1024 * 1024;
        match self {
            Self::Image => 5 * MB,
            Self::Video | Self::Audio => 16 * MB,
            Self::Document => 100 * MB,
        }
    }
}

/// How many leading bytes [`sniff`] needs to tell every accepted type (office files are zips
/// whose first entries name them).
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The accepted MIME types (as `infer` names them), their kind, and the type sent to WhatsApp.
const ACCEPTED: &[(&str, MediaKind, &str)] = &[
    ("image/jpeg", MediaKind::Image, "image/jpeg"),
    ("image/png", MediaKind::Image, "image/png"),
    ("image/webp", MediaKind::Image, "image/webp"),
    ("video/mp4", MediaKind::Video, "video/mp4"),
    ("audio/ogg", MediaKind::Audio, "audio/ogg"),
    ("audio/opus", MediaKind::Audio, "audio/ogg"),
    ("audio/mpeg", MediaKind::Audio, "audio/mpeg"),
    ("audio/m4a", MediaKind::Audio, "audio/mp4"),
    ("audio/x-m4a", MediaKind::Audio, "audio/mp4"),
    ("application/pdf", MediaKind::Document, "application/pdf"),
    (
        "application/msword",
        MediaKind::Document,
        "application/msword",
    ),
    (
        "application/vnd.ms-excel",
        MediaKind::Document,
        "application/vnd.ms-excel",
    ),
    (
        "application/vnd.ms-powerpoint",
        MediaKind::Document,
        "application/vnd.ms-powerpoint",
    ),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        MediaKind::Document,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        MediaKind::Document,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        MediaKind::Document,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    (
        "application/vnd.oasis.opendocument.text",
        MediaKind::Document,
        "application/vnd.oasis.opendocument.text",
    ),
    (
        "application/vnd.oasis.opendocument.spreadsheet",
        MediaKind::Document,
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    (
        "application/vnd.oasis.opendocument.presentation",
        MediaKind::Document,
        "application/vnd.oasis.opendocument.presentation",
    ),
];

/// The kind and MIME type of a file from its first bytes (at least [`SNIFF_BYTES`], or the
/// whole file when shorter); `None` for anything Flow does not send (executables, archives,
/// unknown content).
pub fn sniff(head: &[u8]) -> Option<(MediaKind, &'static str)> {
    let found = infer::get(head)?;
    ACCEPTED
        .iter()
        .find(|(mime, _, _)| *mime == found.mime_type())
        .map(|(_, kind, sent_as)| (*kind, *sent_as))
}

/// The length in seconds of an OGG/Opus file from its first and last bytes: the last page's
/// granule position (48 kHz samples) minus the `OpusHead` pre-skip. `None` for anything else.
pub fn ogg_opus_secs(head: &[u8], tail: &[u8]) -> Option<i64> {
    let opus_head = head.windows(8).position(|w| w == b"OpusHead")?;
    let pre_skip = u16::from_le_bytes([*head.get(opus_head + 10)?, *head.get(opus_head + 11)?]);
    let last = tail.windows(4).rposition(|w| w == b"OggS")?;
    let granule: [u8; 8] = tail.get(last + 6..last + 14)?.try_into().ok()?;
    let samples = u64::from_le_bytes(granule).checked_sub(u64::from(pre_skip))?;
    i64::try_from(samples.div_ceil(48_000)).ok()
}

/// A file name safe to show and to send as a document's name: the last path segment, control
/// characters and quotes dropped, at most 120 characters; `arquivo` when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\''))
        .take(120)
        .collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() {
        "arquivo".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_type_from_the_bytes() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(sniff(png), Some((MediaKind::Image, "image/png")));
        assert_eq!(
            sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0"),
            Some((MediaKind::Image, "image/jpeg"))
        );
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3"),
            Some((MediaKind::Document, "application/pdf"))
        );
        let mut ogg = b"OggS\0\x02".to_vec();
        ogg.resize(64, 0);
        assert_eq!(sniff(&ogg).map(|s| s.0), Some(MediaKind::Audio));
        let mut mp4 = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41".to_vec();
        mp4.resize(64, 0);
        assert_eq!(sniff(&mp4), Some((MediaKind::Video, "video/mp4")));
        let mut m4a = b"\0\0\0\x20ftypM4A \0\0\0\0M4A mp42isom".to_vec();
        m4a.resize(64, 0);
        assert_eq!(sniff(&m4a), Some((MediaKind::Audio, "audio/mp4")));
    }

    #[test]
    fn refuses_what_it_does_not_send_whatever_the_name() {
        // A Windows executable and a Linux one, named or not like photos.
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"), None);
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01\0"), None);
        assert_eq!(sniff(b"just some text, not a photo"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn limits_follow_whatsapp() {
        assert_eq!(MediaKind::Image.max_bytes(), 5 * 1024 * 1024);
        assert_eq!(MediaKind::Document.max_bytes(), 100 * 1024 * 1024);
        assert_eq!(MediaKind::parse("audio"), Some(MediaKind::Audio));
        assert_eq!(MediaKind::parse("sticker"), None);
    }

    #[test]
    fn reads_an_ogg_opus_length() {
        let mut head = b"OggS\0\x02\0\0\0\0\0\0\0\0".to_vec();
        head.extend_from_slice(b"OpusHead\x01\x01\x38\x01\x80\xbb\0\0\0\0\0");
        // Last page: granule 48000 × 7 + 312 (the pre-skip).
        let mut tail = b"OggS\0\x04".to_vec();
        tail.extend_from_slice(&(48_000u64 * 7 + 312).to_le_bytes());
        assert_eq!(ogg_opus_secs(&head, &tail), Some(7));
        assert_eq!(ogg_opus_secs(b"%PDF-1.7", &tail), None);
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(
            clean_file_name("C:\\Users\\ana\\catálogo.pdf"),
            "catálogo.pdf"
        );
        assert_eq!(clean_file_name("../../etc/\"x\".pdf"), "x.pdf");
        assert_eq!(clean_file_name("  "), "arquivo");
    }
}
