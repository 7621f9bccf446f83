from infra_tree import Tree


def test_the_tree_as_committed_passes_every_check(tree: Tree):
    result = tree.check()
    assert result.code == 0, result.output
    assert "90 .tf files parsed" in result.output or ".tf files parsed, 0 finding(s)" in result.output


def test_a_syntax_error_fails_with_file_and_line(tree: Tree):
    tree.edit("modules/rds/main.tf", 'engine               = "postgres"', 'engine               = "postgres')
    result = tree.check()
    assert result.code == 1
    assert "[syntax]" in result.output
    assert "modules/rds/main.tf:" in result.output
    # Parsing stops the run: nothing is judged on files that do not parse.
    assert "infra semantics" not in result.output


def test_an_unclosed_block_in_a_root_fails(tree: Tree):
    tree.edit("environments/prod/aws/main.tf", 'module "argocd" {', 'module "argocd" {\n  broken = {')
    result = tree.check("syntax")
    assert result.code == 1
    assert "environments/prod/aws/main.tf:" in result.output
