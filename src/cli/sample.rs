//! `boussole sample`: to be written.
#[derive(Debug, clap::Args)]
pub struct Args {}
pub fn run(_args: Args) -> crate::error::Result<i32> {
    Ok(0)
}
