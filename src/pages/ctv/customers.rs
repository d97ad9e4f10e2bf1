//! `/customers?phone=…&status=…&from=…&until=…&closer=…&before=…`: the collaborators'
//! customers. Look up a phone number (with seed 000's duplicate verdict on it), filter
//! the list by status, order dates and closer, and enter a new customer: the duplicate
//! rule runs first and says why a phone is taken.

use crate::domain::ctv::customers::{
    Customer, CustomerEntryResult, CustomerListing, CustomerParams, CustomerStatus, DuplicateMatch, PhoneCheck,
};
use crate::domain::format::format_vnd;
use crate::domain::query::query_string;
use crate::domain::server_error::ServerError;
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
    let bad =
        |field: &'static str, message: String| AppError::BadRequest { field, message: format!("{field}: {message}") };
    let optional = |text: String| Some(text.trim().to_owned()).filter(|text| !text.is_empty());
    let status =
        CustomerStatus::parse(status.trim()).ok_or_else(|| bad("status", format!("{status:?} is not a status")))?;
    let amount = match amount.trim() {
        "" => 0.0,
        text => text.parse::<f64>().map_err(|_| bad("amount", format!("{text:?} is not an amount in đồng")))?,
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
            Err(bad("closer", format!("no collaborator has the code {:?}", customer.closer.unwrap_or_default())).into())
        }
    }
}

fn customers_href(params: &CustomerParams) -> String {
    with_query("/customers", &params.query_string())
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let query_map = use_query_map();
    let params = Memo::new(move |_| {
        let map = query_map.read();
        let get = |name: &str| map.get(name).unwrap_or_default();
        CustomerParams {
            phone: get("phone"),
            status: get("status"),
            from: get("from"),
            until: get("until"),
            closer: get("closer"),
            before: get("before"),
        }
    });
    let enter = ServerAction::<EnterCustomer>::new();
    // A customer entered shows at the top of the list (and in a phone lookup) at once.
    let listing = Resource::new(move || (params.get(), enter.version().get()), |(params, _)| get_customers(params));
    view! {
        <Title text="Customers"/>
        <section class="page">
            <h1>"Customers"</h1>
            <div class="customer-layout">
                <div>
                    {move || view! { <LookupAndFilters params=params.get()/> }}
                    <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading customers…"</p> }>
                        {move || Suspend::new(async move {
                            let params = params.get();
                            match listing.await {
                                Ok(listing) => view! { <Listing listing params/> }.into_any(),
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
    let statuses = CustomerStatus::ALL
        .into_iter()
        .map(|status| view! { <option value=status.as_str() selected=params.status == status.as_str()>{status.as_str()}</option> })
        .collect_view();
    view! {
        <form class="filters" method="get" action="/customers" role="search" aria-label="Phone lookup">
            <label>"Phone number"
                <input name="phone" type="search" inputmode="tel" value=params.phone.clone() autocomplete="off"/>
            </label>
            <button type="submit">"Look up"</button>
        </form>
        <form class="filters" method="get" action="/customers" aria-label="Customer filters">
            <label>"Status"
                <select name="status"><option value="">"All"</option>{statuses}</select>
            </label>
            <label>"Ordered from"<input name="from" type="date" value=params.from.clone()/></label>
            <label>"until"<input name="until" type="date" value=params.until.clone()/></label>
            <label>"Closer code"<input name="closer" type="text" value=params.closer.clone() autocomplete="off"/></label>
            <button type="submit">"Apply"</button>
            <a href="/customers" class="clear">"Clear"</a>
        </form>
    }
}

#[component]
fn Listing(listing: CustomerListing, params: CustomerParams) -> impl IntoView {
    let next =
        listing.next_before.map(|id| customers_href(&CustomerParams { before: id.to_string(), ..params.clone() }));
    let first = (!params.before.is_empty())
        .then(|| customers_href(&CustomerParams { before: String::new(), ..params.clone() }));
    let empty = listing.customers.is_empty();
    view! {
        {listing.phone.map(|check| view! { <PhoneVerdict check/> })}
        <h2>"Customers, newest first"</h2>
        {if empty {
            view! { <p class="empty-state" role="status">"No customer matches these filters."</p> }.into_any()
        } else {
            view! { <CustomerTable customers=listing.customers testid="customer-list"/> }.into_any()
        }}
        <nav class="pager" aria-label="Customer pages">
            {first.map(|href| view! { <a href=href>"↞ First page"</a> })}
            {next.map(|href| view! { <a href=href rel="next" data-testid="customers-next">"Next →"</a> })}
        </nav>
    }
}

#[component]
fn PhoneVerdict(check: PhoneCheck) -> impl IntoView {
    let PhoneCheck { phone, customers, duplicates } = check;
    let verdict = if duplicates.is_empty() {
        view! { <p class="verdict ok" role="status" data-testid="phone-verdict">{format!("{phone} is free: a new customer may be entered with it.")}</p> }.into_any()
    } else {
        view! {
            <div class="verdict duplicate" role="status" data-testid="phone-verdict">
                <p>{format!("{phone} is taken: a new customer with it would be a duplicate.")}</p>
                <DuplicateReasons matches=duplicates/>
            </div>
        }
        .into_any()
    };
    let found = if customers.is_empty() {
        view! { <p class="muted">"No customer has this phone number."</p> }.into_any()
    } else {
        view! { <CustomerTable customers testid="phone-customers"/> }.into_any()
    };
    view! {
        <section class="phone-check" aria-label="Phone lookup result">
            <h2>{format!("Phone {phone}")}</h2>
            {verdict}
            {found}
        </section>
    }
}

#[component]
fn DuplicateReasons(matches: Vec<DuplicateMatch>) -> impl IntoView {
    view! {
        <ul class="items" data-testid="duplicate-reasons">
            {matches.into_iter().map(|found| {
                let reasons = found.reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                view! { <li>{format!("Customer #{} {}: {reasons}", found.customer.id, found.customer.name)}</li> }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn CustomerTable(customers: Vec<Customer>, testid: &'static str) -> impl IntoView {
    let rows = customers
        .into_iter()
        .map(|customer| {
            let closer = customer.closer.clone().map(|code| {
                let href = with_query("/network", &query_string(&[("ctv", &code)]));
                view! { <a href=href>{code}</a> }
            });
            view! {
                <tr data-customer=customer.id.to_string()>
                    <td class="num">{customer.id}</td>
                    <td>{customer.name}</td>
                    <td>{customer.phone}</td>
                    <td>{customer.ordered_on}</td>
                    <td>{customer.appointment_on.unwrap_or_default()}</td>
                    <td>{customer.status.as_str()}</td>
                    <td>{closer}</td>
                    <td>{customer.service.unwrap_or_default()}</td>
                    <td class="num">{format_vnd(customer.amount)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table customer-table" data-testid=testid>
                <thead><tr>
                    <th scope="col" class="num">"#"</th><th scope="col">"Name"</th><th scope="col">"Phone"</th>
                    <th scope="col">"Ordered"</th><th scope="col">"Appointment"</th><th scope="col">"Status"</th>
                    <th scope="col">"Closer"</th><th scope="col">"Service"</th><th scope="col" class="num">"Amount"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn NewCustomerForm(enter: ServerAction<EnterCustomer>) -> impl IntoView {
    let pending = enter.pending();
    let statuses = CustomerStatus::ALL
        .into_iter()
        .map(|status| view! { <option value=status.as_str()>{status.as_str()}</option> })
        .collect_view();
    view! {
        <section class="rules new-customer" aria-labelledby="new-customer-title">
            <h2 id="new-customer-title">"Enter a customer"</h2>
            <ActionForm action=enter attr:aria-labelledby="new-customer-title">
                <div class="rule-group">
                    <label>"Name"<input name="name" type="text" required autocomplete="off"/></label>
                    <label>"Phone"<input name="phone" type="tel" required inputmode="tel" autocomplete="off"/></label>
                    <label>"Order date (today when empty)"<input name="ordered_on" type="date"/></label>
                    <label>"Appointment"<input name="appointment_on" type="date"/></label>
                    <label>"Status"<select name="status">{statuses}</select></label>
                    <label>"Closer code"<input name="closer" type="text" autocomplete="off"/></label>
                    <label>"Service"<input name="service" type="text"/></label>
                    <label>"Amount (đồng)"<input name="amount" type="number" min="0" step="1000" inputmode="numeric"/></label>
                </div>
                <button type="submit" disabled=pending>{move || if pending.get() { "Checking…" } else { "Check and enter" }}</button>
            </ActionForm>
            <div aria-live="polite" data-testid="entry-result">
                {move || enter.value().get().map(|result| match result {
                    Ok(CustomerEntryResult::Created(customer)) => view! {
                        <p class="verdict ok" role="status">{format!("Entered customer #{} {} ({}).", customer.id, customer.name, customer.phone)}</p>
                    }.into_any(),
                    Ok(CustomerEntryResult::Duplicate(matches)) => view! {
                        <div class="verdict duplicate" role="alert">
                            <p>"Not entered: this phone is a duplicate under the rule (served or deposit paid, an appointment within 180 days, or an order in the last 60 days)."</p>
                            <DuplicateReasons matches/>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}
