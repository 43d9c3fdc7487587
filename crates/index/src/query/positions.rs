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
    /// How many blocks have been passed, and the byte where the next one starts.
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
            // Wrapping: corrupt gaps give wrong positions, never a panic.
            position = position.wrapping_add(gap);
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
pub(super) fn decode_vints(bytes: &[u8], output: &mut [u32; BLOCK]) -> usize {
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

#[cfg(test)]
mod tests {
    use bitpacking::{BitPacker, BitPacker4x};
    use tantivy::directory::OwnedBytes;

    use super::{PositionBlocks, BLOCK};

    /// A term's positions file: one bit-packed block of 128 gaps, then VInt gaps.
    fn positions_file(packed: &[u32; BLOCK], tail: &[u32]) -> Vec<u8> {
        let packer = BitPacker4x::new();
        let bits = packer.num_bits(packed);
        let mut block = vec![0u8; BitPacker4x::compressed_block_size(bits)];
        packer.compress(packed, &mut block, bits);
        let mut file = vec![0x80 | 1, bits];
        file.extend(block);
        for &gap in tail {
            let mut gap = gap;
            while gap >= 0x80 {
                file.push((gap & 0x7f) as u8);
                gap >>= 7;
            }
            file.push(0x80 | gap as u8);
        }
        file
    }

    fn gaps() -> ([u32; BLOCK], Vec<u32>) {
        let mut packed = [0u32; BLOCK];
        for (at, gap) in packed.iter_mut().enumerate() {
            *gap = (at as u32 * 7) % 300 + 1;
        }
        (packed, vec![5, 200, 70_000, 1])
    }

    #[test]
    fn entries_read_across_the_packed_block_and_the_vint_tail() {
        let (packed, tail) = gaps();
        let all: Vec<u32> = packed.iter().chain(&tail).copied().collect();
        let mut reader = PositionBlocks::open(OwnedBytes::new(positions_file(&packed, &tail)))
            .expect("well formed");
        let mut output = Vec::new();
        // An entry inside the block, one across into the tail, one in the tail, and
        // one behind them all (read from the start again).
        for (offset, count) in [(3u64, 4u32), (126, 3), (129, 3), (0, 2)] {
            reader.read(offset, count, 10, &mut output);
            let mut position = 10;
            let want: Vec<u32> = all[offset as usize..][..count as usize]
                .iter()
                .map(|gap| {
                    position += gap;
                    position
                })
                .collect();
            assert_eq!(output, want, "{count} from #{offset}");
        }
    }

    #[test]
    fn corrupt_positions_stop_short_without_panicking() {
        let (packed, tail) = gaps();
        let file = positions_file(&packed, &tail);
        // The block cut short, and more blocks announced than the file has.
        for bytes in [
            file[..20].to_vec(),
            [vec![0x80 | 9], file[1..].to_vec()].concat(),
        ] {
            let mut reader = PositionBlocks::open(OwnedBytes::new(bytes)).expect("a header");
            let mut output = vec![1];
            reader.read(0, 3, 0, &mut output);
            assert!(output.is_empty());
            reader.read(600, 3, 0, &mut output);
            assert!(output.is_empty());
        }
    }
}
