from infra_tree import Tree


def test_a_readme_out_of_step_with_the_variables_fails(tree: Tree):
    tree.append(
        "modules/ecr/variables.tf",
        'variable "scan_filter" {\n  description = "New input."\n  type        = string\n  default     = "*"\n}\n',
    )
    result = tree.check("readme")
    assert result.code == 1
    assert "modules/ecr/README.md: [readme] inputs/outputs tables are out of date" in result.output


def test_a_missing_readme_fails(tree: Tree):
    (tree.root / "modules/ecr/README.md").unlink()
    result = tree.check("readme")
    assert result.code == 1
    assert "modules/ecr/README.md: [readme] missing" in result.output
