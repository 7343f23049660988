using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GroundingWeb.Data.Migrations
{
    /// <inheritdoc />
    public partial class PresenceThreshold : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "PresenceThreshold",
                table: "Predictions",
                type: "REAL",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PresenceThreshold",
                table: "Predictions");
        }
    }
}
