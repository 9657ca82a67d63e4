"""Video GAN models: the shared `VideoGAN` loop and the four variants."""

from tfvgan.models.video_gan import VideoGAN

__all__ = ["VideoGAN"]
