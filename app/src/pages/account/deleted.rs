//! Where a deleted account's last page leads: it is done, and the visitor is signed out.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountDeletedPage() -> impl IntoView {
    view! {
        <Title text="Account deleted" />
        <section class="container section narrow">
            <h1>"Your account has been deleted"</h1>
            <div class="panel">
                <p>
                    "You are signed out on every device, and the account can no longer sign in. "
                    "Your personal details are erased; the payments and wallet history the clinic "
                    "must keep are tied to an anonymous number."
                </p>
                <p>"You are welcome to register again at any time, with the same email address if you like."</p>
                <p><a href="/">"Go to the home page"</a></p>
            </div>
        </section>
    }
}
