"""What the farm profile tests post: an image to upload and the form's data."""

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_file(name="ferme.png", size=(4, 4), noise=False):
    """A PNG upload; `noise` makes it incompressible, to reach a given size."""
    buffer = io.BytesIO()
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (90, 140, 60))
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def profile_data(producer, **changes):
    """The profile form as the farm's current page fills it, with `changes`."""
    data = {
        "name": producer.name,
        "activity": producer.activity,
        "description": producer.description,
        "email": producer.email,
        "phone": producer.phone,
        "website": producer.website,
        "street": producer.street,
        "postcode": producer.postcode,
        "town": producer.town,
        "latitude": "",
        "longitude": "",
        "position_set_by_hand": "",
    }
    data.update(changes)
    return data
