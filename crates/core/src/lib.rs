//! Vigilia's domain: the model of persons and detentions, the facts that change it, how facts
//! fold into records, country profiles, and the detentions CSV format. No I/O happens here:
//! storage is `vigilia-ledger`, counting `vigilia-count`, the command line `vigilia`.

pub mod attachment;
pub mod case;
pub mod clock;
pub mod confidential;
pub mod csv_lines;
pub mod date;
pub mod exchange;
pub mod fact;
pub mod fold;
pub mod ids;
pub mod lang;
pub mod model;
pub mod national_id;
pub mod profile;
pub mod text;
pub mod words;
