# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ddops.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A local emulator of the Datadog API endpoints the ddops.datadog collection uses (see README.md)."""

from __future__ import annotations

__version__ = "1.0.0"
