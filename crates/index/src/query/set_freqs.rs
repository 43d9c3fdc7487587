//! The frequencies of a term whose entries are kept as a set, read by an entry's place
//! in the set.
//!
//! The entries scored of a large result (学校 教师 课程: some 5,000 of 105,000 at 1.5 M
//! entries, the others given up on unscored) lie hundreds of entries apart, so each
//! term's postings, sought to each for its frequency, decoded a block of entries and
//! searched it for one value. Where the term's entries are kept as a set (see
//! `dense_sets`), an entry's rank in the set is its place among the postings: the block
//! is known at once, and the one frequency is unpacked alone from it.

use std::sync::Arc;

use bitpacking::BitPacker4x;
use tantivy::directory::OwnedBytes;
use tantivy::index::SegmentComponent;
use tantivy::postings::TermInfo;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, SegmentReader};

use super::dense_sets::EntrySet;
use super::positions::decode_vints;
use super::postings::{field_slice, split_skips};

/// Entries per bit-packed block of postings.
const BLOCK: usize = <BitPacker4x as bitpacking::BitPacker>::BLOCK_LEN;

/// Bit 6 of a block's width of entries: its frequencies are stored less one.
const LESS_ONE: u8 = 1 << 6;

/// A term's postings in a segment, as tantivy writes them: a skip entry for each full
/// block of 128 (its last entry, its bit widths of entries and of frequencies, …), the
/// bit-packed blocks, each its entries then their frequencies, and the rest as VInts.
pub(crate) struct TermBlocks {
    skips: OwnedBytes,
    /// Bytes of a skip entry.
    skip_entry: usize,
    blocks: OwnedBytes,
    doc_freq: u32,
}

impl TermBlocks {
    /// The postings of the term `info` describes, in `field` of `segment`; none where
    /// the field records no frequencies.
    pub fn open(
        segment: &SegmentReader,
        field: Field,
        info: &TermInfo,
    ) -> tantivy::Result<Option<TermBlocks>> {
        let record = segment
            .schema()
            .get_field_entry(field)
            .field_type()
            .get_index_record_option();
        // The skip entry's last entry (u32) and widths (u8 each), then with positions the
        // block's count of them (u32), then its best fieldnorm and frequency (u8 each).
        let skip_entry = match record {
            Some(IndexRecordOption::WithFreqs) => 8,
            Some(IndexRecordOption::WithFreqsAndPositions) => 12,
            Some(IndexRecordOption::Basic) | None => return Ok(None),
        };
        let Some(postings) = field_slice(segment, field, SegmentComponent::Postings)? else {
            return Ok(None);
        };
        let postings = postings.read_bytes_slice(info.postings_range.clone())?;
        let (skips, blocks) = split_skips(postings, info.doc_freq, skip_entry)?;
        Ok(Some(TermBlocks {
            skips,
            skip_entry,
            blocks,
            doc_freq: info.doc_freq,
        }))
    }

    fn full_blocks(&self) -> usize {
        self.doc_freq as usize / BLOCK
    }

    /// The widths of block `block` (a full one): of its entries, of its frequencies,
    /// and whether those are stored less one.
    fn widths(&self, block: usize) -> (usize, u8, bool) {
        let entry = &self.skips.as_slice()[block * self.skip_entry..];
        (
            usize::from(entry[4] & 0x1f),
            entry[5],
            entry[4] & LESS_ONE != 0,
        )
    }
}

/// Reads the frequencies of a term kept as a set, for entries asked about in rising
/// order (a block behind is found from the first again).
pub(super) struct SetFreqs {
    set: Arc<EntrySet>,
    /// Full blocks passed, and the byte where the next one starts.
    passed: usize,
    passed_byte: usize,
    /// The block whose frequencies `freqs` reads, if any.
    block: Option<usize>,
    freqs: BlockFreqs,
}

/// The frequencies of one block of postings.
enum BlockFreqs {
    /// Bit-packed, each read alone: the byte where they start, their width, and
    /// whether they are stored less one.
    Packed {
        start: usize,
        bits: u8,
        less_one: bool,
    },
    /// The rest past the last full block, decoded from its VInts.
    Rest { freqs: Box<[u32]> },
}

impl SetFreqs {
    /// None where the set's field records no frequencies.
    pub fn new(set: Arc<EntrySet>) -> Option<SetFreqs> {
        set.postings()?;
        Some(SetFreqs {
            set,
            passed: 0,
            passed_byte: 0,
            block: None,
            freqs: BlockFreqs::Rest {
                freqs: Box::new([]),
            },
        })
    }

    /// The entries holding the term.
    pub fn set(&self) -> &EntrySet {
        &self.set
    }

    /// How often `doc`, which must hold the term, holds it (1 where the postings end
    /// before its place, as only corrupt ones can).
    pub fn freq(&mut self, doc: DocId) -> u32 {
        let rank = self.set.rank(doc) as usize;
        let block = rank / BLOCK;
        if self.block != Some(block) {
            self.find(block);
        }
        let Some(postings) = self.set.postings() else {
            return 1;
        };
        let freq = match &self.freqs {
            &BlockFreqs::Packed {
                start,
                bits,
                less_one,
            } => postings
                .blocks
                .as_slice()
                .get(start..)
                .and_then(|packed| unpack_one(packed, bits, rank % BLOCK))
                .map(|freq| freq + u32::from(less_one)),
            BlockFreqs::Rest { freqs } => freqs.get(rank % BLOCK).copied(),
        };
        freq.unwrap_or(1)
    }

    /// Finds where the frequencies of `block` are.
    fn find(&mut self, block: usize) {
        let Some(postings) = self.set.postings() else {
            return;
        };
        self.block = Some(block);
        if block < self.passed {
            self.passed = 0;
            self.passed_byte = 0;
        }
        let full_blocks = postings.full_blocks();
        while self.passed < block.min(full_blocks) {
            let (entry_bits, freq_bits, _) = postings.widths(self.passed);
            // Each holds 128 values of each width: 16 bytes a bit.
            self.passed_byte += (entry_bits + usize::from(freq_bits)) * 16;
            self.passed += 1;
        }
        self.freqs = if block < full_blocks {
            let (entry_bits, bits, less_one) = postings.widths(block);
            BlockFreqs::Packed {
                start: self.passed_byte + entry_bits * 16,
                bits,
                less_one,
            }
        } else {
            // The rest: the entries' gaps, then their frequencies, as VInts.
            let data = postings.blocks.as_slice();
            let data = data.get(self.passed_byte..).unwrap_or(&[]);
            let rest = postings.doc_freq as usize % BLOCK;
            let mut ends = data
                .iter()
                .enumerate()
                .filter(|(_, &byte)| byte & 0x80 != 0);
            let vints = match rest {
                0 => &[][..],
                _ => ends
                    .nth(rest - 1)
                    .map_or(&[][..], |(at, _)| &data[at + 1..]),
            };
            let mut freqs = [0u32; BLOCK];
            let read = decode_vints(vints, &mut freqs).min(rest);
            BlockFreqs::Rest {
                freqs: freqs[..read].into(),
            }
        };
    }
}

/// Value `at` of a block of 128 bit-packed `bits` wide as `BitPacker4x` packs them:
/// four lanes of 32 values, value `at` the `at / 4`-th of lane `at % 4`, each lane's
/// bits in 32-bit words interleaved with the other lanes' (16 bytes for each word of
/// the four). None past the end of `packed`.
fn unpack_one(packed: &[u8], bits: u8, at: usize) -> Option<u32> {
    let bits = usize::from(bits);
    if bits == 0 {
        return Some(0);
    }
    let (lane, bit) = (at % 4, (at / 4) * bits);
    let word = |index: usize| -> Option<u32> {
        let bytes = packed.get(index * 16 + lane * 4..)?.get(..4)?;
        Some(u32::from_le_bytes(bytes.try_into().ok()?))
    };
    let (index, shift) = (bit / 32, bit % 32);
    let mut value = u64::from(word(index)?) >> shift;
    if shift + bits > 32 {
        value |= u64::from(word(index + 1)?) << (32 - shift);
    }
    Some((value & ((1u64 << bits) - 1)) as u32)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tantivy::postings::Postings;
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, TEXT};
    use tantivy::{doc, DocSet, Index, IndexWriter, Term, TERMINATED};

    use bitpacking::{BitPacker, BitPacker4x};

    use super::{unpack_one, SetFreqs, BLOCK};
    use crate::query::dense_sets::DenseSets;

    /// Each value read alone is the one the packer packed, at every width.
    #[test]
    fn one_value_unpacks_as_the_whole_block_does() {
        let packer = BitPacker4x::new();
        for bits in 0..=32u8 {
            let values: Vec<u32> = (0..BLOCK as u64)
                .map(|at| ((at * 2_654_435_761) & ((1u64 << bits) - 1)) as u32)
                .collect();
            let mut packed = vec![0u8; BitPacker4x::compressed_block_size(bits)];
            packer.compress(&values, &mut packed, bits);
            for (at, &value) in values.iter().enumerate() {
                assert_eq!(
                    unpack_one(&packed, bits, at),
                    Some(value),
                    "#{at} of {bits} bits"
                );
            }
            if bits > 0 {
                assert_eq!(
                    unpack_one(&packed[..packed.len() - 1], bits, BLOCK - 1),
                    None
                );
            }
        }
    }

    /// Every entry's frequency as read by rank equals its postings' own, for terms of
    /// a field with positions and one with frequencies only, of full blocks and a
    /// VInt rest, asked about entry by entry, sparsely, and after going back.
    #[test]
    fn frequencies_by_rank_are_the_postings_own() {
        let mut schema = Schema::builder();
        let positions = schema.add_text_field("positions", TEXT);
        let freqs = schema.add_text_field(
            "freqs",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_index_option(IndexRecordOption::WithFreqs),
            ),
        );
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..3_000usize {
            let mut words = Vec::new();
            // "most" in four entries of five, up to 40 times; "some" in one of three.
            if i % 5 != 2 {
                words.extend(std::iter::repeat_n("most", 1 + (i * 7) % 40));
            }
            if i % 3 == 1 {
                words.extend(std::iter::repeat_n("some", 1 + i % 3));
            }
            words.push("filler");
            let text = words.join(" ");
            writer
                .add_document(doc!(positions => text.clone(), freqs => text))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let segment = searcher.segment_reader(0);
        let sets = DenseSets::default();
        for field in [positions, freqs] {
            for word in ["most", "some"] {
                let term = Term::from_field_text(field, word);
                let mut postings = segment
                    .inverted_index(field)
                    .unwrap()
                    .read_postings(&term, IndexRecordOption::WithFreqs)
                    .unwrap()
                    .unwrap();
                let mut expected = Vec::new();
                while postings.doc() != TERMINATED {
                    expected.push((postings.doc(), postings.term_freq()));
                    postings.advance();
                }
                assert!(expected.len() % 128 != 0, "a VInt rest for {word}");
                let set = sets.entries_read_through(segment, &term).unwrap().unwrap();
                let mut reader = SetFreqs::new(Arc::clone(&set)).expect("frequencies");
                for &(doc, freq) in &expected {
                    assert_eq!(reader.freq(doc), freq, "{word} in #{doc}");
                }
                let mut sparse = SetFreqs::new(Arc::clone(&set)).unwrap();
                for &(doc, freq) in expected.iter().step_by(301).chain(&expected[..3]) {
                    assert_eq!(sparse.freq(doc), freq, "{word} in #{doc}, sparsely");
                }
            }
        }
    }
}
