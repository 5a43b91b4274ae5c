//! Files that volunteers attach to reports: which kinds are taken (by their first bytes, never
//! by the name or type the browser claims), and the metadata taken out of photos before they are
//! kept. A phone's photo carries where and when it was taken and which phone took it: kept as
//! sent, it would tell whoever seizes the registry where the volunteer stood.

use crate::lang::{Lang, Localize};

/// The largest file taken.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("the file is larger than 10 MB")]
    TooLarge,
    #[error("only photos (JPEG, PNG) and PDF documents are taken")]
    Kind,
    #[error("the {0} file is damaged: it cannot be read to the end")]
    Damaged(&'static str),
}

impl Localize for AttachmentError {
    fn localize(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (Self::TooLarge, _) => "el archivo pesa más de 10 MB".into(),
            (Self::Kind, _) => "solo se aceptan fotos (JPEG, PNG) y documentos PDF".into(),
            (Self::Damaged(k), _) => {
                format!("el archivo {k} está dañado: no se puede leer hasta el final")
            }
        }
    }
}

/// The media type of a file taken, from its first bytes.
pub fn sniff(data: &[u8]) -> Result<&'static str, AttachmentError> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if data.starts_with(PNG) {
        Ok("image/png")
    } else if data.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else {
        Err(AttachmentError::Kind)
    }
}

/// The file as it will be kept, with its media type: photos without their metadata (EXIF with
/// its GPS position, XMP, comments, text chunks); PDF documents as they are.
pub fn prepare(data: &[u8]) -> Result<(&'static str, Vec<u8>), AttachmentError> {
    if data.len() > MAX_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    let media_type = sniff(data)?;
    let kept = match media_type {
        "image/jpeg" => strip_jpeg(data)?,
        "image/png" => strip_png(data)?,
        _ => data.to_vec(),
    };
    Ok((media_type, kept))
}

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// A JPEG as only what draws the picture: the tables, frame and scans, to the end of the
/// image. Every application segment (APP0–APP15: JFIF and its thumbnail, EXIF with its GPS
/// position, XMP, ICC, maker notes, the multi-picture index) and comment is left out, and so is
/// everything after the end of the image: the video a "motion photo" appends, the second images
/// of a multi-picture file.
fn strip_jpeg(data: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let damaged = AttachmentError::Damaged("JPEG");
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut at = 2;
    loop {
        let (Some(&0xFF), Some(&marker)) = (data.get(at), data.get(at + 1)) else {
            return Err(damaged);
        };
        if marker == 0xFF {
            // Fill bytes before a marker.
            at += 1;
            continue;
        }
        if marker == 0xD9 {
            out.extend_from_slice(&[0xFF, 0xD9]);
            return Ok(out);
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&[0xFF, marker]);
            at += 2;
            continue;
        }
        let (Some(&hi), Some(&lo)) = (data.get(at + 2), data.get(at + 3)) else {
            return Err(damaged);
        };
        let end = at + 2 + usize::from(u16::from_be_bytes([hi, lo]));
        let segment = data.get(at..end).ok_or(damaged.clone())?;
        if !((0xE0..=0xEF).contains(&marker) || marker == 0xFE) {
            out.extend_from_slice(segment);
        }
        at = end;
        if marker == 0xDA {
            // Start of scan: its coded data runs to the next marker that is neither a
            // stuffed byte (FF 00) nor a restart (FF D0–D7).
            let data_end = scan_end(data, at).ok_or(damaged.clone())?;
            out.extend_from_slice(data.get(at..data_end).ok_or(damaged.clone())?);
            at = data_end;
        }
    }
}

/// Where a scan's entropy-coded data that starts at `from` ends: at the next marker.
fn scan_end(data: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let ff = at + data.get(at..)?.iter().position(|&b| b == 0xFF)?;
        match data.get(ff + 1)? {
            0x00 | 0xD0..=0xD7 => at = ff + 2,
            // Fill bytes may run before the marker.
            0xFF => at = ff + 1,
            _ => return Some(ff),
        }
    }
}

/// The chunks of a PNG that draw the picture or say how its colours are meant; every other
/// chunk (text, EXIF, time, and any private chunk, which may hold anything) is left out.
const PNG_KEPT: [&[u8; 4]; 10] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD",
];

/// A PNG as only its picture ([`PNG_KEPT`]), to its end: nothing after IEND is kept.
fn strip_png(data: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let damaged = AttachmentError::Damaged("PNG");
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(PNG);
    let mut at = PNG.len();
    while at < data.len() {
        let len = data
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
            .ok_or(damaged.clone())? as usize;
        let end = at + 12 + len;
        let chunk = data.get(at..end).ok_or(damaged.clone())?;
        let kind = chunk.get(4..8).ok_or(damaged.clone())?;
        if PNG_KEPT.iter().any(|k| k.as_slice() == kind) {
            out.extend_from_slice(chunk);
        }
        if kind == b"IEND" {
            return Ok(out);
        }
        at = end;
    }
    Err(damaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG's skeleton: JFIF header, an EXIF segment with a GPS position, a comment, a
    /// quantisation table, then the scan.
    fn jpeg() -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        let seg = |m: u8, body: &[u8]| {
            let mut s = vec![0xFF, m];
            s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
            s.extend_from_slice(body);
            s
        };
        j.extend(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        j.extend(seg(0xE1, b"Exif\0\0GPS 10.6545 N 71.6406 W"));
        j.extend(seg(0xFE, b"Samsung SM-A135"));
        j.extend(seg(0xDB, &[0u8; 65]));
        j.extend(seg(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
        j.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]);
        j
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_photo_loses_its_position_and_camera_but_keeps_its_image() {
        let j = jpeg();
        let (kind, kept) = prepare(&j).unwrap();
        assert_eq!(kind, "image/jpeg");
        assert!(contains(&j, b"GPS") && !contains(&kept, b"GPS"));
        assert!(!contains(&kept, b"Samsung"));
        // Everything from the quantisation table on is unchanged.
        let tables = j.iter().position(|&b| b == 0xDB).unwrap() - 1;
        assert!(kept.ends_with(&j[tables..]));
    }

    /// A phone's "motion photo": the picture, then an MP4 whose metadata holds the position
    /// and the phone's serial; a second image after the first (multi-picture); a progressive
    /// picture of two scans with restart markers and stuffed bytes.
    #[test]
    fn nothing_after_the_picture_and_no_second_image_is_kept() {
        let mut j = jpeg();
        let picture = prepare(&j).unwrap().1;
        j.extend_from_slice(b"\0\0\0\x18ftypmp42....moov udta \xA9xyz+10.6545-071.6406/");
        j.extend_from_slice(b"Samsung SM-A135 serial R58N12345");
        let mut second = jpeg();
        second.splice(2..2, [0xFF, 0xE2, 0x00, 0x08, b'M', b'P', b'F', 0]);
        j.extend(second);
        let (_, kept) = prepare(&j).unwrap();
        assert_eq!(
            kept, picture,
            "only the first picture, without its metadata"
        );
        for secret in [&b"10.6545"[..], b"R58N12345", b"ftyp", b"MPF"] {
            assert!(!contains(&kept, secret));
        }
        // Two scans (progressive), with a restart marker and a stuffed byte in each.
        let mut p = jpeg();
        let eoi = p.len() - 2;
        p.splice(
            eoi..eoi,
            [
                0xFF, 0xC4, 0x00, 0x03, 0x00, 0xFF, 0xDA, 0x00, 0x03, 0x01, 0x11, 0xFF, 0x00, 0xFF,
                0xD3, 0x22,
            ],
        );
        let (_, kept) = prepare(&p).unwrap();
        let from_tables = p.iter().position(|&b| b == 0xDB).unwrap() - 1;
        assert!(
            kept.ends_with(&p[from_tables..]),
            "both scans kept byte for byte"
        );
        assert!(
            !contains(&kept, b"JFIF"),
            "the JFIF header (and any thumbnail) goes too"
        );
    }

    #[test]
    fn a_png_loses_its_text_chunks() {
        let chunk = |kind: &[u8], body: &[u8]| {
            let mut c = (body.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(body);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut p = PNG.to_vec();
        p.extend(chunk(b"IHDR", &[0; 13]));
        p.extend(chunk(b"tEXt", b"Location\0Maracaibo"));
        p.extend(chunk(b"prVt", b"GPS 10.6545 -71.6406"));
        p.extend(chunk(b"IDAT", &[7; 20]));
        p.extend(chunk(b"IEND", &[]));
        let picture = p.len() - (12 + 18) - (12 + 20);
        p.extend(b"trailing: serial R58N12345");
        let (kind, kept) = prepare(&p).unwrap();
        assert_eq!(kind, "image/png");
        for secret in [&b"Maracaibo"[..], b"10.6545", b"R58N12345"] {
            assert!(!contains(&kept, secret));
        }
        assert_eq!(kept.len(), picture);
    }

    #[test]
    fn other_files_and_damaged_photos_are_refused_with_the_reason() {
        assert_eq!(prepare(b"MZ\x90\0"), Err(AttachmentError::Kind));
        assert_eq!(
            prepare(b"<html><script>").unwrap_err().localize(Lang::Es),
            "solo se aceptan fotos (JPEG, PNG) y documentos PDF"
        );
        let mut cut = jpeg();
        cut.truncate(30);
        assert_eq!(prepare(&cut), Err(AttachmentError::Damaged("JPEG")));
        let pdf = b"%PDF-1.7\n%\xE2\xE3\n1 0 obj".to_vec();
        assert_eq!(prepare(&pdf).unwrap(), ("application/pdf", pdf.clone()));
        assert_eq!(
            prepare(&vec![b'%'; MAX_BYTES + 1]),
            Err(AttachmentError::TooLarge)
        );
    }
}
