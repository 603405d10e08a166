//! Form pieces: a labelled field with its error beside it, the form-level alert, and a submit
//! button that says when it is waiting.

use leptos::prelude::*;

use crate::domain::AppError;

/// The error of an action's last submission, for the form's fields and alert.
pub fn last_error<T: 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(Result::err))
}

/// The message of the last submission's error for the field `name`, if any.
fn field_message(error: Signal<Option<AppError>>, name: &str) -> Memo<Option<String>> {
    let name = name.to_owned();
    Memo::new(move |_| error.get().and_then(|e| e.message_for(&name)))
}

/// A labelled input. Its error comes from the last submission: the message for this `name`.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(into, optional)] hint: Option<String>,
    #[prop(into, optional)] value: Option<String>,
    #[prop(default = true)] required: bool,
    /// The input's id, when one page has two forms with the same field names.
    #[prop(into, optional)]
    id: Option<String>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| format!("field-{name}"));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let message = field_message(error, &name);
    let described_by = {
        let (error_id, hint_id, has_hint) = (error_id.clone(), hint_id.clone(), hint.is_some());
        move || match (has_hint, message.get().is_some()) {
            (true, true) => format!("{hint_id} {error_id}"),
            (true, false) => hint_id.clone(),
            (false, _) => error_id.clone(),
        }
    };
    view! {
        <div class="field" class:has-error=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=required
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=described_by
            />
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <p class="field-error" id=error_id aria-live="polite">
                {move || message.get()}
            </p>
        </div>
    }
}

/// A labelled multi-line input, with its error beside it like [`Field`].
#[component]
pub fn TextArea(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    error: Signal<Option<AppError>>,
    #[prop(into, optional)] hint: Option<String>,
    #[prop(into, optional)] value: Option<String>,
    #[prop(default = 5)] rows: u32,
    #[prop(default = 5000)] maxlength: u32,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let message = field_message(error, &name);
    let described_by = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field" class:has-error=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                maxlength=maxlength
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=described_by
            >
                {value}
            </textarea>
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <p class="field-error" id=error_id aria-live="polite">
                {move || message.get()}
            </p>
        </div>
    }
}

/// A labelled drop-down of `(value, label)` choices, with its error beside it like [`Field`].
#[component]
pub fn Choice(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    error: Signal<Option<AppError>>,
    choices: Vec<(String, String)>,
    /// The first, empty choice ("Choose…"); the field is required when given.
    #[prop(into)]
    placeholder: String,
    #[prop(into, optional)] value: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let message = field_message(error, &name);
    let value = value.unwrap_or_default();
    view! {
        <div class="field" class:has-error=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                required=true
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=error_id.clone()
            >
                <option value="">{placeholder}</option>
                {choices
                    .into_iter()
                    .map(|(choice, text)| {
                        let selected = choice == value;
                        view! { <option value=choice selected=selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            <p class="field-error" id=error_id aria-live="polite">
                {move || message.get()}
            </p>
        </div>
    }
}

/// The error of a submission that belongs to no single field (or a summary when several do).
#[component]
pub fn FormAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    let text = move || {
        error.get().map(|err| match err {
            AppError::Invalid(_) => "Please correct the fields marked below.".to_owned(),
            AppError::Validation { ref field, .. } if !field.is_empty() => {
                "Please correct the field marked below.".to_owned()
            }
            other => other.to_string(),
        })
    };
    view! {
        <Show when=move || text().is_some()>
            <div class="alert alert-error" role="alert">{text}</div>
        </Show>
    }
}

/// A submit button that is disabled and relabelled while the server works.
#[component]
pub fn Submit(
    #[prop(into)] label: String,
    #[prop(into)] busy_label: String,
    pending: Signal<bool>,
    #[prop(default = "btn btn-primary")] class: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class=class disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
            {move || if pending.get() { busy_label.clone() } else { label.clone() }}
        </button>
    }
}
