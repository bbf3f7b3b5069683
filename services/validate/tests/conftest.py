import sys
from pathlib import Path

# The rule tests share hand-built disclosures (validate_builders.py) from this folder.
sys.path.insert(0, str(Path(__file__).parent))
