//! A term's positions in one segment, as tantivy writes them: blocks of 128 bit-packed
//! gaps (each block's bit width in a table before them), then the rest as VInts.
//!
//! tantivy's `PositionReader` gives an entry's gaps by copying them out of its decoded
//! block, a call to `memmove` for the one to three positions a bigram has in an entry,
//! and the gaps are summed in a pass of their own. A phrase reads five bigrams'
//! positions for each of its candidates; here a block is decoded the same way, and an
//! entry's positions are summed straight out of it.

use std::io;

use bitpacking::{BitPacker, BitPacker4x};
use tantivy::directory::OwnedBytes;

use super::postings::read_vint;

const BLOCK: usize = BitPacker4x::BLOCK_LEN;

pub(super) struct PositionBlocks {
    /// The bit width of each bit-packed block.
    bit_widths: OwnedBytes,
    /// The blocks, then the positions past the last full block as VInts.
    data: OwnedBytes,
    /// The block passed last (none before the first read), and where it starts.
    passed: usize,
    passed_byte: usize,
    /// The block `decoded` holds, if any, and how many positions it has.
    decoded_block: Option<usize>,
    decoded_len: usize,
    decoded: [u32; BLOCK],
    packer: BitPacker4x,
}

impl PositionBlocks {
    /// The positions of a term: `bytes` as the positions file holds them.
    pub fn open(mut bytes: OwnedBytes) -> io::Result<PositionBlocks> {
        let blocks = read_vint(&mut bytes)?;
        if blocks > bytes.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "positions with more blocks than bytes",
            ));
        }
        let (bit_widths, data) = bytes.split(blocks);
        Ok(PositionBlocks {
            bit_widths,
            data,
            passed: 0,
            passed_byte: 0,
            decoded_block: None,
            decoded_len: 0,
            decoded: [0; BLOCK],
            packer: BitPacker4x::new(),
        })
    }

    /// The `count` positions from the `offset`-th of the term in the segment (an
    /// entry's: stored as gaps from its previous one), each plus `shift`, in `output`.
    pub fn read(&mut self, offset: u64, count: u32, shift: u32, output: &mut Vec<u32>) {
        output.clear();
        let mut position = shift;
        for at in offset..offset + u64::from(count) {
            let block = (at / BLOCK as u64) as usize;
            if self.decoded_block != Some(block) {
                self.decode(block);
            }
            // Past the end of corrupt data: the entry's positions stop there.
            let Some(&gap) = self.decoded[..self.decoded_len].get(at as usize % BLOCK) else {
                return;
            };
            position += gap;
            output.push(position);
        }
    }

    /// Decodes `block`, passing the blocks before it (from the first if it lies behind).
    fn decode(&mut self, block: usize) {
        if block < self.passed {
            self.passed = 0;
            self.passed_byte = 0;
        }
        let widths = self.bit_widths.as_slice();
        while self.passed < block {
            // Each block holds 128 values of its bit width: 16 bytes a bit.
            self.passed_byte += usize::from(widths.get(self.passed).copied().unwrap_or(0)) * 16;
            self.passed += 1;
        }
        let data = self.data.as_slice().get(self.passed_byte..).unwrap_or(&[]);
        self.decoded_block = Some(block);
        self.decoded_len = match widths.get(block) {
            Some(&bits) if bits <= 32 && data.len() >= usize::from(bits) * 16 => {
                self.packer.decompress(data, &mut self.decoded, bits);
                BLOCK
            }
            Some(_) => 0,
            None => decode_vints(data, &mut self.decoded),
        };
    }
}

/// VInts (seven bits a byte, low first, the last byte marked by its high bit) until
/// `bytes` or `output` ends; how many were read.
fn decode_vints(bytes: &[u8], output: &mut [u32; BLOCK]) -> usize {
    let mut read = 0;
    let mut value = 0u32;
    let mut shift = 0;
    for &byte in bytes {
        if read == BLOCK {
            break;
        }
        value |= u32::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
        if byte & 0x80 != 0 {
            output[read] = value;
            read += 1;
            value = 0;
            shift = 0;
        } else {
            shift += 7;
        }
    }
    read
}
