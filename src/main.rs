//! The `boussole` binary: parse arguments, call the library, print errors once in French,
//! map them to exit statuses.

fn main() {
    std::process::exit(boussole::cli::main());
}
