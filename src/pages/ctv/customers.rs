//! `/customers?phone=…&q=…&status=…&from=…&until=…&appointment_from=…&appointment_until=…&closer=…&sort=…&order=…&page=…`:
//! the collaborators' customers. Look up a phone number (with seed 000's duplicate
//! verdict on it), search by name (accents optional), filter the list by statuses, order
//! and appointment dates and closer, change a customer's status through the allowed
//! transitions (seeing the commission it moved), and enter a new customer: the duplicate
//! rule runs first and says why a phone is taken.

use crate::components::language;
use crate::domain::ctv::commissions::CommissionKind;
use crate::domain::ctv::customers::{
    Customer, CustomerEntryResult, CustomerListing, CustomerParams, CustomerSortColumn, CustomerStatus, DuplicateMatch,
    PhoneCheck, StatusChanged,
};
use crate::domain::format::format_vnd;
use crate::domain::query::query_string;
use crate::domain::server_error::ServerError;
use crate::i18n::{td_string, use_i18n, Locale};
use crate::pages::url::with_query;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server]
pub async fn get_customers(params: CustomerParams) -> Result<CustomerListing, ServerError> {
    let (_member, store) = crate::server::auth::tenant()?;
    let filter = params.filter()?;
    Ok(store.customer_listing(Some(params.phone.as_str()), &filter).await?)
}

/// The new-customer form's fields as typed (empty optional fields are blank).
#[allow(clippy::too_many_arguments)]
#[server]
pub async fn enter_customer(
    name: String,
    phone: String,
    ordered_on: String,
    appointment_on: String,
    status: String,
    closer: String,
    service: String,
    amount: String,
) -> Result<CustomerEntryResult, ServerError> {
    use crate::data::ctv::customers::CustomerEntry;
    use crate::domain::ctv::customers::NewCustomer;
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let locale = Locale::from(crate::components::request_language());
    let bad = |field: &'static str, message: String| AppError::BadRequest { field, message };
    let optional = |text: String| Some(text.trim().to_owned()).filter(|text| !text.is_empty());
    let status = CustomerStatus::parse(status.trim()).ok_or_else(|| {
        bad("status", tf!(locale, customers.not_a_status, field = "status", value = format!("{status:?}")))
    })?;
    let amount = match amount.trim() {
        "" => 0.0,
        text => text.parse::<f64>().map_err(|_| {
            bad("amount", tf!(locale, customers.not_an_amount, field = "amount", value = format!("{text:?}")))
        })?,
    };
    let customer = NewCustomer {
        name,
        phone,
        ordered_on: optional(ordered_on),
        appointment_on: optional(appointment_on),
        status,
        closer: optional(closer),
        service: optional(service),
        amount,
    };
    customer.validate()?;
    match store.create_customer(&customer).await? {
        CustomerEntry::Created(customer) => Ok(CustomerEntryResult::Created(customer)),
        CustomerEntry::Duplicate(matches) => Ok(CustomerEntryResult::Duplicate(matches)),
        CustomerEntry::UnknownCloser => {
            let code = format!("{:?}", customer.closer.unwrap_or_default());
            Err(bad("closer", tf!(locale, customers.unknown_closer, field = "closer", code = code)).into())
        }
    }
}

/// Moves customer `id` to `status` through the allowed transitions; its commissions follow.
#[server]
pub async fn change_customer_status(id: String, status: String) -> Result<StatusChanged, ServerError> {
    use crate::data::ctv::customers::StatusChangeOutcome;
    use crate::domain::field_error::{FieldError, Problem};
    use crate::server::error::AppError;
    let (_member, store) = crate::server::auth::tenant()?;
    let id = id.trim().parse::<i64>().map_err(|_| FieldError::new("id", Problem::NotAnId { text: id.clone() }))?;
    let status = CustomerStatus::parse(status.trim()).ok_or_else(|| {
        FieldError::new("status", Problem::not_one_of(&status, CustomerStatus::ALL.iter().map(|s| s.as_str())))
    })?;
    match store.change_customer_status(id, status, None).await? {
        StatusChangeOutcome::Changed(changed) => Ok(changed),
        StatusChangeOutcome::Refused(refusal) => Err(refusal.into()),
        StatusChangeOutcome::NoSuchCustomer => {
            Err(AppError::missing_here(crate::server::error::Missing::Customer).into())
        }
    }
}

fn customers_href(params: &CustomerParams) -> String {
    with_query("/customers", &params.query_string())
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let query_map = use_query_map();
    let params = Memo::new(move |_| {
        let map = query_map.read();
        let get = |name: &str| map.get(name).unwrap_or_default();
        CustomerParams {
            phone: get("phone"),
            q: get("q"),
            // The filter form sends one `status=` per status chosen; links send them joined.
            status: map.get_all("status").unwrap_or_default().join(","),
            from: get("from"),
            until: get("until"),
            appointment_from: get("appointment_from"),
            appointment_until: get("appointment_until"),
            closer: get("closer"),
            sort: get("sort"),
            order: get("order"),
            page: get("page"),
        }
    });
    let enter = ServerAction::<EnterCustomer>::new();
    let change = ServerAction::<ChangeCustomerStatus>::new();
    // A customer entered shows at the top of the list (and in a phone lookup) at once; a
    // status changed shows in its row.
    let listing = Resource::new(
        move || (params.get(), enter.version().get(), change.version().get()),
        |(params, _, _)| get_customers(params),
    );
    view! {
        <Title text=td_string!(locale, customers.title)/>
        <section class="page">
            <h1>{td_string!(locale, customers.title)}</h1>
            <div class="customer-layout">
                <div>
                    {move || view! { <LookupAndFilters params=params.get()/> }}
                    <StatusChangeResult change/>
                    <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{td_string!(locale, customers.loading)}</p> }>
                        {move || Suspend::new(async move {
                            let params = params.get();
                            match listing.await {
                                Ok(listing) => view! { <Listing listing params change/> }.into_any(),
                                Err(error) => view! { <p class="error" role="alert" data-testid="customers-error">{error.to_string()}</p> }.into_any(),
                            }
                        })}
                    </Suspense>
                </div>
                <NewCustomerForm enter/>
            </div>
        </section>
    }
}

#[component]
fn LookupAndFilters(params: CustomerParams) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let chosen = params.statuses();
    let statuses = CustomerStatus::ALL
        .into_iter()
        .map(|status| view! { <option value=status.as_str() selected=chosen.contains(&status.as_str())>{status.label(language())}</option> })
        .collect_view();
    view! {
        <form class="filters" method="get" action="/customers" role="search" aria-label=td_string!(locale, customers.phone_lookup)>
            <label>{td_string!(locale, customers.phone_number)}
                <input name="phone" type="search" inputmode="tel" value=params.phone.clone() autocomplete="off"/>
            </label>
            <button type="submit">{td_string!(locale, customers.look_up)}</button>
        </form>
        <form class="filters customer-filters" method="get" action="/customers" aria-label=td_string!(locale, customers.filters)>
            <label>{td_string!(locale, customers.name)}<input name="q" type="search" value=params.q.clone() autocomplete="off" placeholder="nguyen van an"/></label>
            <label>{td_string!(locale, customers.status_several)}
                <select name="status" multiple size="4">{statuses}</select>
            </label>
            <fieldset>
                <legend>{td_string!(locale, customers.ordered)}</legend>
                <label>{td_string!(locale, customers.ordered_from)}<input name="from" type="date" value=params.from.clone()/></label>
                <label>{td_string!(locale, customers.ordered_until)}<input name="until" type="date" value=params.until.clone()/></label>
            </fieldset>
            <fieldset>
                <legend>{td_string!(locale, customers.appointment)}</legend>
                <label>{td_string!(locale, customers.appointment_from)}<input name="appointment_from" type="date" value=params.appointment_from.clone()/></label>
                <label>{td_string!(locale, customers.appointment_until)}<input name="appointment_until" type="date" value=params.appointment_until.clone()/></label>
            </fieldset>
            <label>{td_string!(locale, customers.closer_code)}<input name="closer" type="text" value=params.closer.clone() autocomplete="off"/></label>
            // The order chosen by a column header stays when the filters change.
            {(!params.sort.is_empty()).then(|| view! { <input type="hidden" name="sort" value=params.sort.clone()/> })}
            {(!params.order.is_empty()).then(|| view! { <input type="hidden" name="order" value=params.order.clone()/> })}
            <button type="submit">{td_string!(locale, customers.apply)}</button>
            <a href="/customers" class="clear">{td_string!(locale, customers.clear)}</a>
        </form>
    }
}

/// What the last status change did: the customer's new status and the commission it moved.
#[component]
fn StatusChangeResult(change: ServerAction<ChangeCustomerStatus>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    view! {
        <div aria-live="polite" data-testid="status-change-result">
            {move || change.value().get().map(|result| match result {
                Ok(changed) => {
                    let moves = changed.commission_moves.iter().map(|m| {
                        let kind = match m.kind {
                            CommissionKind::Earning => td_string!(locale, customers.kind_earned),
                            CommissionKind::Reversal => td_string!(locale, customers.kind_reversed),
                            CommissionKind::Adjustment => td_string!(locale, customers.kind_adjusted),
                        };
                        let template = if m.lines == 1 {
                            td_string!(locale, customers.move_one)
                        } else {
                            td_string!(locale, customers.move_many)
                        };
                        let amount = format_vnd(language(), m.amount);
                        crate::components::fill(template, &[
                            ("amount", &amount as &dyn std::fmt::Display),
                            ("kind", &kind),
                            ("period", &m.period),
                            ("lines", &m.lines),
                        ])
                    }).collect::<Vec<_>>();
                    let commission = if moves.is_empty() {
                        td_string!(locale, customers.no_commission).to_owned()
                    } else {
                        tf!(locale, customers.commission, net = format_vnd(language(), changed.net_amount()), moves = moves.join("; "))
                    };

                    view! {
                        <p class="verdict ok" role="status">
                            {tf!(
                                locale, customers.changed,
                                id = changed.customer.id, name = changed.customer.name, from = changed.from.label(language()),
                                to = changed.customer.status.label(language()), commission = commission
                            )}
                        </p>
                    }.into_any()
                }
                Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
            })}
        </div>
    }
}

#[component]
fn Listing(
    listing: CustomerListing,
    params: CustomerParams,
    change: ServerAction<ChangeCustomerStatus>,
) -> impl IntoView {
    let page_href = |page: u32| {
        let page = if page <= 1 { String::new() } else { page.to_string() };
        customers_href(&CustomerParams { page, ..params.clone() })
    };
    let next = listing.has_next.then(|| page_href(listing.page + 1));
    let previous = (listing.page > 1).then(|| page_href(listing.page - 1));
    let first = (listing.page > 2).then(|| page_href(1));
    let empty = listing.customers.is_empty();
    let sort = CustomerSortSpec::of(&params);
    let locale = use_i18n().get_locale_untracked();
    view! {
        {listing.phone.map(|check| view! { <PhoneVerdict check change/> })}
        <h2>{tf!(locale, customers.list_heading, order = sort.describe(locale))}</h2>
        {if empty {
            view! { <p class="empty-state" role="status">{td_string!(locale, customers.none_match)}</p> }.into_any()
        } else {
            view! { <CustomerTable customers=listing.customers testid="customer-list" change sort=Some((params.clone(), sort))/> }.into_any()
        }}
        <nav class="pager" aria-label=td_string!(locale, customers.pages)>
            {first.map(|href| view! { <a href=href>{td_string!(locale, customers.first_page)}</a> })}
            {previous.map(|href| view! { <a href=href rel="prev">{td_string!(locale, customers.previous)}</a> })}
            {(listing.page > 1 || listing.has_next).then(|| view! { <span class="muted">{tf!(locale, customers.page_n, page = listing.page)}</span> })}
            {next.map(|href| view! { <a href=href rel="next" data-testid="customers-next">{td_string!(locale, customers.next)}</a> })}
        </nav>
    }
}

/// The list's order as the URL asks it (the default when it asks nothing valid).
#[derive(Clone, Copy)]
struct CustomerSortSpec {
    column: CustomerSortColumn,
    descending: bool,
}

impl CustomerSortSpec {
    fn of(params: &CustomerParams) -> Self {
        let column = CustomerSortColumn::parse(params.sort.trim()).unwrap_or_default();
        let descending = match params.order.trim() {
            "asc" => false,
            "desc" => true,
            _ => column.descending_by_default(),
        };
        Self { column, descending }
    }

    fn describe(self, locale: Locale) -> &'static str {
        use CustomerSortColumn::*;
        match (self.column, self.descending) {
            (Entered, true) => td_string!(locale, customers.newest_first),
            (Entered, false) => td_string!(locale, customers.oldest_first),
            (Name, false) => td_string!(locale, customers.name_az),
            (Name, true) => td_string!(locale, customers.name_za),
            (Ordered, true) => td_string!(locale, customers.ordered_latest),
            (Ordered, false) => td_string!(locale, customers.ordered_earliest),
            (Appointment, true) => td_string!(locale, customers.appointment_latest),
            (Appointment, false) => td_string!(locale, customers.appointment_earliest),
            (Status, false) => td_string!(locale, customers.status_az),
            (Status, true) => td_string!(locale, customers.status_za),
            (Amount, true) => td_string!(locale, customers.amount_largest),
            (Amount, false) => td_string!(locale, customers.amount_smallest),
        }
    }

    /// The first page in `column`'s order: its usual direction, or the other one when
    /// the list is in that order already.
    fn href(self, params: &CustomerParams, column: CustomerSortColumn) -> String {
        let descending = if self.column == column { !self.descending } else { column.descending_by_default() };
        let order = match (descending == column.descending_by_default(), descending) {
            (true, _) => "",
            (false, true) => "desc",
            (false, false) => "asc",
        };
        let sort = if column == CustomerSortColumn::default() { "" } else { column.as_str() };
        customers_href(&CustomerParams {
            sort: sort.into(),
            order: order.into(),
            page: String::new(),
            ..params.clone()
        })
    }
}

#[component]
fn PhoneVerdict(check: PhoneCheck, change: ServerAction<ChangeCustomerStatus>) -> impl IntoView {
    let PhoneCheck { phone, customers, duplicates } = check;
    let locale = use_i18n().get_locale_untracked();
    let verdict = if duplicates.is_empty() {
        view! { <p class="verdict ok" role="status" data-testid="phone-verdict">{tf!(locale, customers.phone_free, phone = phone)}</p> }.into_any()
    } else {
        view! {
            <div class="verdict duplicate" role="status" data-testid="phone-verdict">
                <p>{tf!(locale, customers.phone_taken, phone = phone)}</p>
                <DuplicateReasons matches=duplicates/>
            </div>
        }
        .into_any()
    };
    let found = if customers.is_empty() {
        view! { <p class="muted">{td_string!(locale, customers.no_phone_customer)}</p> }.into_any()
    } else {
        view! { <CustomerTable customers testid="phone-customers" change sort=None/> }.into_any()
    };
    view! {
        <section class="phone-check" aria-label=td_string!(locale, customers.lookup_result)>
            <h2>{tf!(locale, customers.phone_heading, phone = phone)}</h2>
            {verdict}
            {found}
        </section>
    }
}

#[component]
fn DuplicateReasons(matches: Vec<DuplicateMatch>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    view! {
        <ul class="items" data-testid="duplicate-reasons">
            {matches.into_iter().map(|found| {
                let reasons = found.reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                view! { <li>{tf!(locale, customers.duplicate_of, id = found.customer.id, name = found.customer.name, reasons = reasons)}</li> }
            }).collect_view()}
        </ul>
    }
}

/// Customers in a table, each row with its status control; `sort`: the list's order,
/// whose headers then sort it (the phone lookup's table has none).
#[component]
fn CustomerTable(
    customers: Vec<Customer>,
    testid: &'static str,
    change: ServerAction<ChangeCustomerStatus>,
    sort: Option<(CustomerParams, CustomerSortSpec)>,
) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let rows = customers
        .into_iter()
        .map(|customer| {
            let closer = customer.closer.clone().map(|code| {
                let href = with_query("/network", &query_string(&[("ctv", &code)]));
                view! { <a href=href>{code}</a> }
            });
            let id = customer.id;
            // The stored word in the attribute, its label for people in the cell.
            let status = customer.status.as_str();
            let status_label = customer.status.label(language());
            let cells = (
                customer.name.clone(),
                customer.phone.clone(),
                customer.ordered_on.clone(),
                customer.appointment_on.clone().unwrap_or_default(),
                customer.service.clone().unwrap_or_default(),
                format_vnd(language(), customer.amount),
            );
            let (name, phone, ordered_on, appointment_on, service, amount) = cells;
            view! {
                <tr data-customer=id.to_string()>
                    <td class="num">{id}</td>
                    <td>{name}</td>
                    <td>{phone}</td>
                    <td>{ordered_on}</td>
                    <td>{appointment_on}</td>
                    <td data-status=status>{status_label}</td>
                    <td>{closer}</td>
                    <td>{service}</td>
                    <td class="num">{amount}</td>
                    <td><StatusControl customer change/></td>
                </tr>
            }
        })
        .collect_view();
    let header = move |label: &'static str, column: CustomerSortColumn, numeric: bool| {
        let class = if numeric { "num" } else { "" };
        match &sort {
            Some((params, spec)) => {
                let state = (spec.column == column).then_some(spec.descending);
                let (aria_sort, arrow) = crate::components::sort_marks(state);
                let href = spec.href(params, column);
                view! { <th scope="col" class=class aria-sort=aria_sort><a href=href data-sort=column.as_str()>{label}{arrow}</a></th> }
                    .into_any()
            }
            None => view! { <th scope="col" class=class>{label}</th> }.into_any(),
        }
    };
    use CustomerSortColumn::*;
    view! {
        <div class="table-scroll">
            <table class="data-table customer-table" data-testid=testid>
                <thead><tr>
                    {header("#", Entered, true)}{header(td_string!(locale, customers.name), Name, false)}
                    <th scope="col">{td_string!(locale, customers.phone)}</th>
                    {header(td_string!(locale, customers.ordered), Ordered, false)}
                    {header(td_string!(locale, customers.appointment), Appointment, false)}
                    {header(td_string!(locale, customers.status), Status, false)}
                    <th scope="col">{td_string!(locale, customers.closer)}</th><th scope="col">{td_string!(locale, customers.service)}</th>
                    {header(td_string!(locale, customers.amount), Amount, true)}
                    <th scope="col">{td_string!(locale, customers.change_status)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The statuses a customer may move to, and the button that moves it.
#[component]
fn StatusControl(customer: Customer, change: ServerAction<ChangeCustomerStatus>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let next = customer.status.next_statuses();
    if next.is_empty() {
        return view! { <span class="muted">{td_string!(locale, customers.final_status)}</span> }.into_any();
    }
    let pending = change.pending();
    let label = tf!(locale, customers.new_status_of, id = customer.id);
    let options = next
        .iter()
        .map(|status| view! { <option value=status.as_str()>{status.label(language())}</option> })
        .collect_view();
    view! {
        <ActionForm action=change attr:class="inline-form status-form">
            <input type="hidden" name="id" value=customer.id.to_string()/>
            <select name="status" aria-label=label>{options}</select>
            <button type="submit" class="secondary" disabled=pending>{td_string!(locale, customers.change)}</button>
        </ActionForm>
    }
    .into_any()
}

#[component]
fn NewCustomerForm(enter: ServerAction<EnterCustomer>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let pending = enter.pending();
    let statuses = CustomerStatus::ALL
        .into_iter()
        .map(|status| view! { <option value=status.as_str()>{status.label(language())}</option> })
        .collect_view();
    view! {
        <section class="rules new-customer" aria-labelledby="new-customer-title">
            <h2 id="new-customer-title">{td_string!(locale, customers.enter_title)}</h2>
            <ActionForm action=enter attr:aria-labelledby="new-customer-title">
                <div class="rule-group">
                    <label>{td_string!(locale, customers.name)}<input name="name" type="text" required autocomplete="off"/></label>
                    <label>{td_string!(locale, customers.phone)}<input name="phone" type="tel" required inputmode="tel" autocomplete="off"/></label>
                    <label>{td_string!(locale, customers.order_date)}<input name="ordered_on" type="date"/></label>
                    <label>{td_string!(locale, customers.appointment)}<input name="appointment_on" type="date"/></label>
                    <label>{td_string!(locale, customers.status)}<select name="status">{statuses}</select></label>
                    <label>{td_string!(locale, customers.closer_code)}<input name="closer" type="text" autocomplete="off"/></label>
                    <label>{td_string!(locale, customers.service)}<input name="service" type="text"/></label>
                    <label>{td_string!(locale, customers.amount_dong)}<input name="amount" type="number" min="0" step="1000" inputmode="numeric"/></label>
                </div>
                <button type="submit" disabled=pending>{move || if pending.get() { td_string!(locale, customers.checking) } else { td_string!(locale, customers.check_and_enter) }}</button>
            </ActionForm>
            <div aria-live="polite" data-testid="entry-result">
                {move || enter.value().get().map(|result| match result {
                    Ok(CustomerEntryResult::Created(customer)) => view! {
                        <p class="verdict ok" role="status">{tf!(locale, customers.entered, id = customer.id, name = customer.name, phone = customer.phone)}</p>
                    }.into_any(),
                    Ok(CustomerEntryResult::Duplicate(matches)) => view! {
                        <div class="verdict duplicate" role="alert">
                            <p>{td_string!(locale, customers.not_entered)}</p>
                            <DuplicateReasons matches/>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}
