//! `vigilia serve`: the web application on this registry; with `--demo`, on a fresh demo
//! registry with one account per role, printed to the terminal. `vigilia user …`: accounts.

use std::net::SocketAddr;

use vigilia_app::accounts::{self, EXPOSURE_DAYS, Which};
use vigilia_app::credentials::current_code;
use vigilia_app::{Actor, write};
use vigilia_core::date::spoken_day;
use vigilia_core::lang::Localize;
use vigilia_core::model::Role;
use vigilia_web::{App, Config};

use crate::Env;
use crate::failure::Failure;
use crate::registry::say;

/// Connections that serve reads, beside the writer's.
const READERS: usize = 4;

/// What `vigilia serve` is asked.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback; beyond it only with --trusted-proxy).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Start on a fresh demo registry with one account per role: sqlite://demo.db in this
    /// folder (replaced), whatever --database or VIGILIA_DATABASE_URL say.
    #[arg(long)]
    pub demo: bool,
    /// Seconds a public form must be open before it is accepted (0: no wait).
    #[arg(long, default_value_t = 3)]
    intake_delay: u64,
    /// Public reports accepted per address per hour (0: no limit).
    #[arg(long, default_value_t = 10)]
    intake_per_hour: u32,
    /// The address of a reverse proxy (with HTTPS) in front of Vigilia, whose
    /// X-Forwarded-For is believed; repeat for several. Required to listen beyond loopback,
    /// and then only the proxies (and loopback) are served.
    #[arg(long = "trusted-proxy", value_name = "ADDRESS")]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// The address people reach Vigilia at (https://vigilia.example.org), for the links it
    /// gives out; http://BIND by default.
    #[arg(long, env = "VIGILIA_BASE_URL")]
    base_url: Option<String>,
}

pub fn serve(env: &Env, args: &ServeArgs) -> Result<(), Failure> {
    let (bind, demo) = (args.bind, args.demo);
    let config = Config {
        intake_delay: args.intake_delay,
        intake_per_hour: args.intake_per_hour,
        trusted_proxies: args.trusted_proxies.clone(),
        base_url: (args.base_url.clone()).unwrap_or_else(|| format!("http://{bind}")),
    };
    config.check(bind)?;
    let ledger = if demo {
        env.keys.remove_demo()?;
        crate::demo::generate(env, 1, 12_000, None)?;
        let mut ledger = env.open()?;
        let now = env.clock.now();
        say(
            env,
            "\nCuentas de demostración (contraseña; el personal también necesita el código de 6 dígitos de la clave TOTP, p. ej. `oathtool --totp -b CLAVE`):",
            "\nDemo accounts (password; staff also need the 6-digit code of the TOTP key, e.g. `oathtool --totp -b KEY`):",
        );
        for a in accounts::demo_accounts(&mut ledger)? {
            let code = (a.second_factor.as_deref())
                .and_then(|s| Some((s, current_code(s, now)?)))
                .map(|(s, c)| {
                    format!(
                        "  TOTP {s}  ({} {c})",
                        env.lang.pick("código ahora:", "code now:")
                    )
                })
                .unwrap_or_default();
            crate::say!("  {:<18} {}{code}", a.name, a.password);
        }
        ledger
    } else {
        let mut ledger = env.open()?;
        accounts::refuse_demo_accounts(&mut ledger)?;
        let sealed = accounts::seal_credentials(&mut ledger)?;
        if sealed > 0 {
            say(
                env,
                format!("Contraseñas cifradas por primera vez: {sealed} cuentas."),
                format!("Passwords encrypted for the first time: {sealed} accounts."),
            );
        }
        ledger
    };
    // Reads run on connections of their own, beside the one writer: four readers keep two
    // cores busy while some wait on the disk.
    let registry = vigilia_app::Registry::new(ledger, READERS)?;
    let app = App::new(registry, env.clock.clone(), config)?;
    say(
        env,
        format!("\nVigilia escucha en http://{bind}/"),
        format!("\nVigilia is listening on http://{bind}/"),
    );
    // Reads run on blocking threads, at most READERS at a time on the registry, and writes
    // wait for the writer without holding a thread: a few threads serve as fast as many, and
    // queue waiting reads in order, where hundreds (Tokio's default) would each hold a stack
    // and an allocator heap while they wait.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(8)
        .build()
        .map_err(|e| Failure::bad(e.to_string(), e.to_string()))?;
    let listening = runtime.block_on(vigilia_web::serve(app, bind));
    let (es, en) = ("no se pudo escuchar en", "could not listen on");
    listening.map_err(|e| Failure::bad(format!("{es} {bind}: {e}"), format!("{en} {bind}: {e}")))
}

#[derive(Debug, clap::Subcommand)]
pub enum UserWhat {
    /// Invite an account; prints the invitation link (shown once, good for 7 days).
    Add {
        name: String,
        /// admin, coordinator, lawyer, volunteer or analyst.
        #[arg(long)]
        role: String,
        /// The address people reach Vigilia at, for the link (as `serve --base-url`).
        #[arg(
            long,
            env = "VIGILIA_BASE_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        base_url: String,
        /// A state whose cases a lawyer sees (repeat for several; none: every state).
        #[arg(long = "state")]
        states: Vec<String>,
    },
    /// Set the states whose cases a lawyer sees, besides the cases assigned to them (none:
    /// every state).
    Regions {
        name: String,
        #[arg(long = "state")]
        states: Vec<String>,
    },
    /// Restore an account's access (a lost phone, a forgotten password): its password, second
    /// factor and API tokens stop working now; prints a new invitation link (shown once).
    Reset {
        name: String,
        /// The address people reach Vigilia at, for the link (as `serve --base-url`).
        #[arg(
            long,
            env = "VIGILIA_BASE_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        base_url: String,
    },
    /// Issue an API token for an account (shown once).
    Token { name: String },
    /// Revoke an account: its tokens stop working.
    Revoke {
        name: String,
        #[arg(long, default_value = "revoked")]
        reason: String,
    },
}

/// `vigilia user …`.
pub fn user(env: &Env, what: UserWhat) -> Result<(), Failure> {
    match what {
        UserWhat::Add {
            name,
            role,
            base_url,
            states,
        } => add(env, &name, &role, &base_url, &states),
        UserWhat::Regions { name, states } => regions(env, &name, &states),
        UserWhat::Token { name } => token(env, &name),
        UserWhat::Reset { name, base_url } => reset(env, &name, &base_url),
        UserWhat::Revoke { name, reason } => revoke(env, &name, &reason),
    }
}

fn add(env: &Env, name: &str, role: &str, base: &str, states: &[String]) -> Result<(), Failure> {
    let Some(role) = Role::from_name(role) else {
        return Err(Failure::bad(
            format!("--role {role:?}: use admin, coordinator, lawyer, volunteer o analyst"),
            format!("--role {role:?}: use admin, coordinator, lawyer, volunteer or analyst"),
        ));
    };
    let mut ledger = env.open()?;
    // The invitation and the states in one transaction: a lawyer invited without their
    // states would see every case.
    let (inv, names) = write(&mut ledger, |tx| {
        let inv = accounts::invite(tx, &env.actor, name, role)?;
        let names = if states.is_empty() {
            None
        } else {
            Some(accounts::set_regions(tx, &env.actor, name, states)?)
        };
        Ok((inv, names))
    })?;
    if let Some(names) = names {
        say_regions(env, &names);
    }
    crate::say!(
        "{}\n{}/invitation/{}",
        env.lang.pick(
            "Invitación (se muestra una sola vez, dura 7 días; envíela por un canal seguro):",
            "Invitation (shown once, lasts 7 days; send it over a safe channel):"
        ),
        base.trim_end_matches('/'),
        inv.token
    );
    Ok(())
}

fn reset(env: &Env, name: &str, base: &str) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let actor = vigilia_app::Actor::operator(&env.actor);
    let inv = write(&mut ledger, |tx| {
        let a = accounts::active(tx, name)?;
        accounts::reset_access(tx, &actor, a.id)
    })?;
    crate::say!(
        "{}\n{}/invitation/{}",
        env.lang.pick(
            "Acceso restablecido: la contraseña, el segundo factor y las claves de API anteriores ya no sirven. Nueva invitación (se muestra una sola vez, dura 7 días; envíela por un canal seguro):",
            "Access reset: the previous password, second factor and API tokens no longer work. New invitation (shown once, lasts 7 days; send it over a safe channel):"
        ),
        base.trim_end_matches('/'),
        inv.token
    );
    Ok(())
}

fn regions(env: &Env, name: &str, states: &[String]) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let names = write(&mut ledger, |tx| {
        accounts::set_regions(tx, &env.actor, name, states)
    })?;
    say_regions(env, &names);
    Ok(())
}

fn say_regions(env: &Env, names: &[String]) {
    if names.is_empty() {
        say(
            env,
            "Ve los casos de todos los estados.",
            "Sees the cases of every state.",
        );
    } else {
        let n = names.join(", ");
        say(
            env,
            format!("Ve los casos de estos estados y los que se le asignen: {n}"),
            format!("Sees the cases of these states and those assigned to them: {n}"),
        );
    }
}

fn token(env: &Env, name: &str) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let token = write(&mut ledger, |tx| {
        accounts::issue_token(tx, &env.actor, name)
    })?;
    crate::say!("{token}");
    Ok(())
}

fn revoke(env: &Env, name: &str, reason: &str) -> Result<(), Failure> {
    let mut ledger = env.open()?;
    let actor = Actor::operator(&env.actor);
    let which = Which::Named(name.to_string());
    let Some(exposure) = accounts::revoke_and_expose(&mut ledger, &actor, &which, reason)? else {
        return Err(Failure::bad(
            format!("la cuenta {name} ya estaba revocada"),
            format!("the account {name} was already revoked"),
        ));
    };
    say(
        env,
        "Cuenta revocada: sus sesiones y tokens dejan de servir en la próxima petición.",
        "Account revoked: its sessions and tokens stop working from the next request.",
    );
    let role = exposure.account.role.name();
    let (reach, seen) = (exposure.reach, &exposure.seen);
    let (lang, n) = (env.lang, env.lang.number(seen.len() as u64));
    say(
        env,
        format!(
            "\nLo que {name} ({role}) pudo ver en los últimos {EXPOSURE_DAYS} días: {}\n{n} registros con su nombre:",
            reach.localize(lang)
        ),
        format!(
            "\nWhat {name} ({role}) could see in the last {EXPOSURE_DAYS} days: {}\n{n} records by name:",
            reach.localize(lang)
        ),
    );
    for e in seen {
        crate::say!(
            "  {:<16} {:<32} {}",
            e.subject.to_string(),
            e.name,
            e.why.localize(lang)
        );
    }
    if !exposure.searches.is_empty() {
        say(env, "\nSus búsquedas:", "\nIts searches:");
    }
    for s in &exposure.searches {
        let (day, found) = (spoken_day(s.on, lang), lang.number(s.returned as u64));
        say(
            env,
            format!("  «{}», el {day}: {found} personas", s.query),
            format!("  “{}”, on {day}: {found} persons", s.query),
        );
    }
    Ok(())
}
