"""The command lines: one module per console script.

| command        | module                  | what it does                              |
|----------------|-------------------------|-------------------------------------------|
| `tfvgan-train` | `tfvgan.cli.train`      | flags -> `TrainConfig` -> `tfvgan.train.run` |
| `tfvgan-sample`| `tfvgan.cli.sample`     | clips from a run or an export (`tfvgan.sample`) |
| `tfvgan-export`| `tfvgan.cli.export`     | a run, checkpoint or `.keras` file -> SavedModel |
| `tfvgan-eval`  | `tfvgan.cli.evaluate`   | FVD/KVD, IS, accuracy, PSNR/SSIM (`tfvgan.evaluate`) |

Each maps absl flags onto library calls and nothing else; each also runs as
``python -m tfvgan.cli.<module>``. The training flags are generated from
the fields of `tfvgan.config.TrainConfig` (their help text lives in the
fields' metadata), so a new config field is a new flag.
"""
