//! Query-string parameters → a [`SearchRequest`]. Each endpoint names the parameters it
//! accepts; anything else, a repeated single-valued parameter or a malformed value is a
//! 400 that names the parameter. The values themselves are checked by the library.

use edusearch_index::{PlansRequest, SearchRequest, SortOrder, YearFilter};

use crate::errors::ApiError;

/// The raw `name=value` pairs of a query string, in order.
pub type Pairs = Vec<(String, String)>;

/// What `/api/search` accepts.
pub const SEARCH_PARAMETERS: &[&str] = &[
    "q", "region", "year", "unit", "sort", "offset", "limit", "facets",
];
/// What `/api/stats` accepts: the query, its filters, and how many regions to list.
pub const STATS_PARAMETERS: &[&str] = &["q", "region", "year", "unit", "by_region"];
/// What `/api/plans` accepts.
pub const PLANS_PARAMETERS: &[&str] = &["region", "year", "offset", "limit"];
/// Plans listed when `/api/plans` is given no `limit`, and the most it lists at once:
/// all 36 k plans of a national index made a 16 MB answer.
pub const PLANS_PAGE: usize = 100;
pub const MAX_PLANS_PAGE: usize = 1000;
/// Parameters that may be given more than once (any of them matches).
const REPEATABLE: &[&str] = &["region", "year", "unit"];

/// Reads a search request. An empty value counts as not given, so that a form with
/// an empty field means the default.
pub fn search_request(pairs: &Pairs) -> Result<SearchRequest, ApiError> {
    request(pairs, SEARCH_PARAMETERS)
}

/// Reads the query and filters of a stats request, and how many regions of most items
/// to list (`None`: every region).
pub fn stats_request(pairs: &Pairs) -> Result<(SearchRequest, Option<usize>), ApiError> {
    check_names(pairs, STATS_PARAMETERS)?;
    let (listing, search): (Pairs, Pairs) =
        (pairs.iter().cloned()).partition(|(name, _)| name == "by_region");
    let by_region = (listing.iter())
        .find(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| number(name, value))
        .transpose()?;
    Ok((request(&search, STATS_PARAMETERS)?, by_region))
}

/// Reads the filters and page of a plan listing.
pub fn plans_request(pairs: &Pairs) -> Result<PlansRequest, ApiError> {
    check_names(pairs, PLANS_PARAMETERS)?;
    let mut request = PlansRequest {
        limit: Some(PLANS_PAGE),
        ..PlansRequest::default()
    };
    for (name, value) in pairs.iter().filter(|(_, v)| !v.trim().is_empty()) {
        match name.as_str() {
            "region" => request.regions.push(value.trim().to_owned()),
            "year" => request.years.push(value.parse::<YearFilter>()?),
            "offset" => request.offset = number("offset", value)?,
            "limit" => {
                let limit = number("limit", value)?;
                if limit > MAX_PLANS_PAGE {
                    return Err(ApiError::bad_parameter(
                        "limit",
                        format!(
                            "{limit} is more than the most plans listed at once, {MAX_PLANS_PAGE}"
                        ),
                    ));
                }
                request.limit = Some(limit);
            }
            _ => unreachable!("check_names lets only accepted names through"),
        }
    }
    Ok(request)
}

/// Checks that a request that takes no parameters got none.
pub fn no_parameters(pairs: &Pairs) -> Result<(), ApiError> {
    check_names(pairs, &[])
}

fn request(pairs: &Pairs, accepted: &[&str]) -> Result<SearchRequest, ApiError> {
    check_names(pairs, accepted)?;
    let mut request = SearchRequest::default();
    for (name, value) in pairs.iter().filter(|(_, v)| !v.trim().is_empty()) {
        match name.as_str() {
            "q" => request.query = value.clone(),
            "region" => request.regions.push(value.trim().to_owned()),
            "year" => request.years.push(value.parse::<YearFilter>()?),
            "unit" => request.units.push(value.trim().to_owned()),
            "sort" => request.sort = value.parse::<SortOrder>()?,
            "offset" => request.offset = number("offset", value)?,
            "limit" => request.limit = number("limit", value)?,
            "facets" => request.facets = boolean("facets", value)?,
            _ => unreachable!("check_names lets only accepted names through"),
        }
    }
    // The library owns the limits (query length, page size) so every interface agrees.
    request.validate()?;
    Ok(request)
}

fn check_names(pairs: &Pairs, accepted: &[&str]) -> Result<(), ApiError> {
    for (i, (name, _)) in pairs.iter().enumerate() {
        if !accepted.contains(&name.as_str()) {
            let message = if accepted.is_empty() {
                format!("unknown parameter {name:?}: this route takes no parameters")
            } else {
                format!(
                    "unknown parameter {name:?}; accepted: {}",
                    accepted.join(", ")
                )
            };
            return Err(ApiError::bad_parameter(name.clone(), message));
        }
        let repeated = pairs[..i].iter().any(|(earlier, _)| earlier == name);
        if repeated && !REPEATABLE.contains(&name.as_str()) {
            return Err(ApiError::bad_parameter(
                name.clone(),
                format!("{name:?} is given more than once"),
            ));
        }
    }
    Ok(())
}

fn number(name: &str, value: &str) -> Result<usize, ApiError> {
    value.trim().parse().map_err(|_| {
        ApiError::bad_parameter(
            name,
            format!("{value:?} is not a whole number of zero or more"),
        )
    })
}

fn boolean(name: &str, value: &str) -> Result<bool, ApiError> {
    match value.trim() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ApiError::bad_parameter(
            name,
            format!("{value:?} is not true or false"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use edusearch_index::MAX_LIMIT;

    fn pairs(list: &[(&str, &str)]) -> Pairs {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn fault(list: &[(&str, &str)]) -> String {
        search_request(&pairs(list))
            .unwrap_err()
            .parameter
            .expect("names a parameter")
    }

    #[test]
    fn reads_every_parameter() {
        let request = search_request(&pairs(&[
            ("q", "双减"),
            ("region", "440000"),
            ("region", "福建"),
            ("year", "2021"),
            ("year", "2019..2023"),
            ("unit", "基教科"),
            ("sort", "year"),
            ("offset", "10"),
            ("limit", "20"),
            ("facets", "false"),
        ]))
        .unwrap();
        assert_eq!(request.query, "双减");
        assert_eq!(request.regions, ["440000", "福建"]);
        assert_eq!(
            request.years,
            [YearFilter::Year(2021), YearFilter::Range(2019, 2023)]
        );
        assert_eq!(request.units, ["基教科"]);
        assert_eq!(request.sort, SortOrder::Year);
        assert_eq!(
            (request.offset, request.limit, request.facets),
            (10, 20, false)
        );
    }

    #[test]
    fn empty_values_mean_defaults() {
        let request = search_request(&pairs(&[("q", ""), ("year", ""), ("limit", "")])).unwrap();
        assert_eq!(request, SearchRequest::default());
    }

    #[test]
    fn bad_values_name_their_parameter() {
        assert_eq!(fault(&[("limit", "abc")]), "limit");
        assert_eq!(fault(&[("limit", &(MAX_LIMIT + 1).to_string())]), "limit");
        assert_eq!(fault(&[("offset", "-1")]), "offset");
        assert_eq!(fault(&[("year", "20x1")]), "year");
        assert_eq!(fault(&[("sort", "foo")]), "sort");
        assert_eq!(fault(&[("facets", "maybe")]), "facets");
        assert_eq!(fault(&[("color", "red")]), "color");
        assert_eq!(fault(&[("q", "a"), ("q", "b")]), "q");
    }

    #[test]
    fn plans_take_filters_and_a_bounded_page() {
        let request = plans_request(&pairs(&[
            ("region", "广东"),
            ("region", "350000"),
            ("year", "2021"),
            ("offset", "100"),
        ]))
        .unwrap();
        assert_eq!(request.regions, ["广东", "350000"]);
        assert_eq!(request.years, [YearFilter::Year(2021)]);
        assert_eq!((request.offset, request.limit), (100, Some(PLANS_PAGE)));
        let request = plans_request(&pairs(&[("limit", &MAX_PLANS_PAGE.to_string())])).unwrap();
        assert_eq!(request.limit, Some(MAX_PLANS_PAGE));

        let fault = |list: &[(&str, &str)]| plans_request(&pairs(list)).unwrap_err().parameter;
        let over = (MAX_PLANS_PAGE + 1).to_string();
        assert_eq!(fault(&[("limit", &over)]).as_deref(), Some("limit"));
        assert_eq!(fault(&[("year", "20x1")]).as_deref(), Some("year"));
        assert_eq!(fault(&[("q", "双减")]).as_deref(), Some("q"));
        assert_eq!(
            fault(&[("offset", "1"), ("offset", "2")]).as_deref(),
            Some("offset")
        );
    }

    #[test]
    fn stats_takes_query_filters_and_regions_listed() {
        let (request, by_region) = stats_request(&pairs(&[
            ("q", "双减"),
            ("by_region", "0"),
            ("year", "2021"),
        ]))
        .unwrap();
        assert_eq!(request.query, "双减");
        assert_eq!(request.years, [YearFilter::Year(2021)]);
        assert_eq!(by_region, Some(0));
        assert_eq!(stats_request(&pairs(&[("by_region", "")])).unwrap().1, None);
        for list in [
            &[("by_region", "x")][..],
            &[("by_region", "-1")],
            &[("by_region", "1"), ("by_region", "2")],
        ] {
            let error = stats_request(&pairs(list)).unwrap_err();
            assert_eq!(error.parameter.as_deref(), Some("by_region"), "{list:?}");
        }
        let error = stats_request(&pairs(&[("limit", "5")])).unwrap_err();
        assert_eq!(error.parameter.as_deref(), Some("limit"));
        assert!(no_parameters(&pairs(&[("x", "1")])).is_err());
        assert!(no_parameters(&pairs(&[])).is_ok());
    }
}
