"""``python -m tfvgan.export``: the command line moved out of the library."""

if __name__ == "__main__":
    raise SystemExit(
        "tfvgan: the command line is `tfvgan-export` (python -m tfvgan.cli.export)."
    )
