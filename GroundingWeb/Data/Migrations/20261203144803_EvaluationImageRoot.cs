using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GroundingWeb.Data.Migrations
{
    /// <inheritdoc />
    public partial class EvaluationImageRoot : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ImageRoot",
                table: "EvaluationResults",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ImageRoot",
                table: "EvaluationResults");
        }
    }
}
