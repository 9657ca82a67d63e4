"""placeholder"""
from tfvgan.data.moving_digits import moving_digits, moving_digits_arrays
