//! `/bulk`: look up a pasted or uploaded list of up to 10,000 ISDNs at once (seed 001 use case 6):
//! what was found, what was not, and which lines held no ISDN.

use crate::components::language;
use crate::domain::format::{format_count, format_decimal, format_vnd};
use crate::domain::isdn_list::MalformedLine;
use crate::domain::recommendation::Recommendation;
use crate::domain::server_error::ServerError;
use crate::pages::url::subscriber_href;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::i18n::{t, td_string, use_i18n};

const ROWS_PER_PAGE: usize = 100;
/// Not-found and malformed lines listed at most; the counts are always whole.
const LISTED_AT_MOST: usize = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkResult {
    pub found: Vec<Recommendation>,
    pub not_found: Vec<String>,
    pub malformed: Vec<MalformedLine>,
    pub duplicates: usize,
}

/// At a fixed address (`/api/lookup_isdn_list`), so scripts and the benchmark can post to it.
#[server(endpoint = "lookup_isdn_list")]
pub async fn lookup_isdn_list(text: String) -> Result<BulkResult, ServerError> {
    use crate::data::bulk::MAX_BULK_ISDNS;
    use crate::domain::isdn_list::IsdnList;
    use crate::server::error::AppError;
    let (member, store) = crate::server::auth::tenant()?;
    let list = IsdnList::parse(&text);
    let bad = |message: String| AppError::BadRequest { field: "isdns", message };
    let language = crate::components::request_language();
    let locale = crate::i18n::Locale::from(language);
    if list.isdns.is_empty() {
        return Err(bad(td_string!(locale, bulk_errors.empty).to_owned()).into());
    }
    if list.isdns.len() > MAX_BULK_ISDNS {
        let (most, count) =
            (format_count(language, MAX_BULK_ISDNS as i64), format_count(language, list.isdns.len() as i64));
        return Err(bad(tf!(locale, bulk_errors.too_many, most = most, count = count)).into());
    }
    let _slot = crate::server::heavy_work::start_in_server_function(member.organization.id)?;
    let lookup = store.bulk_recommendations(&list.isdns).await?;
    Ok(BulkResult {
        found: lookup.found,
        not_found: lookup.not_found,
        malformed: list.malformed,
        duplicates: list.duplicates,
    })
}

#[component]
pub fn BulkLookupPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let lookup = ServerAction::<LookupIsdnList>::new();
    let pending = lookup.pending();
    let isdns = NodeRef::<leptos::html::Textarea>::new();
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), bulk.title)/>
        <section class="page">
            <h1>{t!(i18n, bulk.title)}</h1>
            <ActionForm action=lookup attr:class="bulk-form" attr:aria-label=td_string!(locale, bulk.form_label)>
                <label for="bulk-isdns">{t!(i18n, bulk.isdns_label)}</label>
                <textarea id="bulk-isdns" name="text" rows="10" spellcheck="false" required node_ref=isdns
                    placeholder="++/hZFPrCDRre55vsZqqxQ==\n…"></textarea>
                <crate::components::TextFileInput target=isdns label=td_string!(locale, bulk.file_label)/>
                <button type="submit" disabled=pending>
                    {move || if pending.get() { td_string!(locale, bulk.looking_up) } else { td_string!(locale, bulk.look_up) }}
                </button>
            </ActionForm>
            <div aria-live="polite" aria-busy=move || pending.get().to_string()>
                {move || match lookup.value().get() {
                    None => view! { <p class="muted">{t!(i18n, bulk.results_here)}</p> }.into_any(),
                    Some(Err(error)) => view! {
                        <p class="error" role="alert" data-testid="bulk-error">{error.to_string()}</p>
                    }.into_any(),
                    Some(Ok(result)) => view! { <BulkResults result/> }.into_any(),
                }}
            </div>
        </section>
    }
}

#[component]
fn BulkResults(result: BulkResult) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let language = language();
    let counts = [
        (td_string!(locale, bulk.found), result.found.len(), "found"),
        (td_string!(locale, bulk.not_found), result.not_found.len(), "not-found"),
        (td_string!(locale, bulk.malformed), result.malformed.len(), "malformed"),
        (td_string!(locale, bulk.repeated), result.duplicates, "duplicates"),
    ];
    let found = StoredValue::new(result.found);
    let total = found.with_value(Vec::len);
    let pages = total.div_ceil(ROWS_PER_PAGE).max(1);
    let page = RwSignal::new(0usize);
    let rows = move || {
        let start = page.get() * ROWS_PER_PAGE;
        found.with_value(|found| {
            found
                .iter()
                .skip(start)
                .take(ROWS_PER_PAGE)
                .map(|rec| {
                    let href = subscriber_href(rec.isdn.as_str());
                    view! {
                        <tr data-isdn=rec.isdn.to_string()>
                            <td><a href=href class="isdn">{rec.isdn.to_string()}</a></td>
                            <td>{rec.service_type.as_str()}</td>
                            <td data-risk=rec.bad_debt_risk.as_str()>{rec.bad_debt_risk.label(language)}</td>
                            <td>{rec.priority.map_or("", |priority| priority.label(language))}</td>
                            <td class="num">{rec.advance_amount.map(|amount| format_vnd(language, amount)).unwrap_or_else(|| "–".into())}</td>
                            <td class="num">{rec.customer_value_score.map(|v| format_decimal(language, v)).unwrap_or_else(|| "–".into())}</td>
                            <td class="num">{rec.advance_readiness_score.map(|v| format_decimal(language, v)).unwrap_or_else(|| "–".into())}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let listed = |items: Vec<String>| {
        let more = items.len().saturating_sub(LISTED_AT_MOST);
        view! {
            <ul class="items">{items.into_iter().take(LISTED_AT_MOST).map(|item| view! { <li>{item}</li> }).collect_view()}</ul>
            {(more > 0).then(|| view! { <p class="muted">{tf!(locale, bulk.and_more, count = format_count(language, more as i64))}</p> })}
        }
    };
    // Most reasons quote the line already.
    let malformed = result
        .malformed
        .into_iter()
        .map(|m| {
            let reason = m.reason.message(language, "isdn");
            if reason.contains(&m.text) {
                tf!(locale, bulk.line_reason, line = m.line, reason = reason)
            } else {
                tf!(locale, bulk.line_text_reason, line = m.line, text = format!("{:?}", m.text), reason = reason)
            }
        })
        .collect();
    view! {
        <div class="stat-grid">
            {counts
                .into_iter()
                .map(|(label, count, testid)| view! {
                    <div class="stat-card" data-testid=testid>
                        <div class="stat-label">{label}</div>
                        <div class="stat-value">{format_count(language, count as i64)}</div>
                    </div>
                })
                .collect_view()}
        </div>
        {(total > 0).then(|| view! {
            <h2>{t!(i18n, bulk.found)}</h2>
            <div class="table-scroll">
                <table class="data-table" data-testid="found-table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, bulk.isdn)}</th><th scope="col">{t!(i18n, common.service)}</th>
                        <th scope="col">{t!(i18n, common.risk)}</th><th scope="col">{t!(i18n, bulk.priority)}</th>
                        <th scope="col" class="num">{t!(i18n, bulk.advance)}</th>
                        <th scope="col" class="num">{t!(i18n, bulk.customer_value)}</th><th scope="col" class="num">{t!(i18n, bulk.readiness)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <nav class="pager" aria-label=td_string!(locale, bulk.found_pages)>
                <span class="muted">{move || tf!(locale, bulk.page_of, page = page.get() + 1, pages = pages)}</span>
                <button type="button" disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p -= 1)>{t!(i18n, bulk.previous)}</button>
                <button type="button" disabled=move || { page.get() + 1 >= pages } on:click=move |_| page.update(|p| *p += 1)
                    data-testid="found-next">{t!(i18n, bulk.next)}</button>
            </nav>
        })}
        <div class="insight-lists">
            <section aria-label=td_string!(locale, bulk.not_found) data-testid="not-found-list">
                <h2>{t!(i18n, bulk.not_found)}</h2>
                {listed(result.not_found)}
            </section>
            <section aria-label=td_string!(locale, bulk.malformed) data-testid="malformed-list">
                <h2>{t!(i18n, bulk.malformed)}</h2>
                {listed(malformed)}
            </section>
        </div>
    }
}
